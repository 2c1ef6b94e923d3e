/* The two programs every draw uses. Both take vertices in window pixels with a top-left
 * origin (struct vg_gl_vertex) and convert to clip space with u_size, so a draw never touches
 * the viewport. */
#include "gl_priv.h"

#include <stdlib.h>

#include "vg/log.h"

/* clang-format off */
static const char vertex_src[] =
    "#version 330 core\n"
    "layout(location = 0) in vec2 a_pos;\n"
    "layout(location = 1) in vec2 a_uv;\n"
    "layout(location = 2) in vec4 a_color;\n"
    "uniform vec2 u_size;\n"
    "out vec2 v_uv;\n"
    "out vec4 v_color;\n"
    "void main()\n"
    "{\n"
    "    v_uv = a_uv;\n"
    "    v_color = a_color;\n"
    "    gl_Position = vec4(a_pos.x / u_size.x * 2.0 - 1.0,\n"
    "                       1.0 - a_pos.y / u_size.y * 2.0, 0.0, 1.0);\n"
    "}\n";

/* Float formats may hold values outside [0, 1]: clamp, no tone mapping. The frame is opaque
 * whatever its alpha holds (guests often leave X8 padding at 0). Linear filtering at the last
 * row of a truncated frame must not blend in the stale rows below it: v stops at u_max_v. */
static const char image_fragment_src[] =
    "#version 330 core\n"
    "in vec2 v_uv;\n"
    "in vec4 v_color;\n"
    "uniform sampler2D u_tex;\n"
    "uniform bool u_opaque;\n"
    "uniform float u_max_v;\n"
    "out vec4 o_color;\n"
    "void main()\n"
    "{\n"
    "    vec2 uv = vec2(v_uv.x, min(v_uv.y, u_max_v));\n"
    "    vec4 c = clamp(texture(u_tex, uv), 0.0, 1.0);\n"
    "    o_color = u_opaque ? vec4(c.rgb, 1.0) : c;\n"
    "}\n";

static const char mask_fragment_src[] =
    "#version 330 core\n"
    "in vec2 v_uv;\n"
    "in vec4 v_color;\n"
    "uniform sampler2D u_tex;\n"
    "out vec4 o_color;\n"
    "void main()\n"
    "{\n"
    "    o_color = vec4(v_color.rgb, v_color.a * texture(u_tex, v_uv).r);\n"
    "}\n";
/* clang-format on */

static GLuint compile_shader(GLenum type, const char *name, const char *src)
{
    GLuint s = glCreateShader(type);
    if (!s) {
        vg_err("gl: glCreateShader failed (0x%x)", glGetError());
        return 0;
    }
    glShaderSource(s, 1, &src, NULL);
    glCompileShader(s);
    GLint ok = GL_FALSE;
    glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
    if (ok)
        return s;

    GLint len = 0;
    glGetShaderiv(s, GL_INFO_LOG_LENGTH, &len);
    char *info_log = malloc(len > 0 ? (size_t)len : 1);
    if (info_log) {
        info_log[0] = '\0';
        glGetShaderInfoLog(s, len, NULL, info_log);
    }
    vg_err("gl: %s shader does not compile: %s", name,
           info_log ? info_log : "(no log: out of memory)");
    free(info_log);
    glDeleteShader(s);
    return 0;
}

static GLuint link_program(const char *name, const char *fragment_src)
{
    GLuint prog = 0;
    GLuint vs = compile_shader(GL_VERTEX_SHADER, name, vertex_src);
    GLuint fs = compile_shader(GL_FRAGMENT_SHADER, name, fragment_src);
    if (!vs || !fs)
        goto cleanup;

    prog = glCreateProgram();
    if (!prog) {
        vg_err("gl: glCreateProgram failed (0x%x)", glGetError());
        goto cleanup;
    }
    glAttachShader(prog, vs);
    glAttachShader(prog, fs);
    glLinkProgram(prog);
    GLint ok = GL_FALSE;
    glGetProgramiv(prog, GL_LINK_STATUS, &ok);
    if (!ok) {
        GLint len = 0;
        glGetProgramiv(prog, GL_INFO_LOG_LENGTH, &len);
        char *info_log = malloc(len > 0 ? (size_t)len : 1);
        if (info_log) {
            info_log[0] = '\0';
            glGetProgramInfoLog(prog, len, NULL, info_log);
        }
        vg_err("gl: %s program does not link: %s", name,
               info_log ? info_log : "(no log: out of memory)");
        free(info_log);
        glDeleteProgram(prog);
        prog = 0;
        goto cleanup;
    }
    glDetachShader(prog, vs);
    glDetachShader(prog, fs);

cleanup:
    if (vs)
        glDeleteShader(vs);
    if (fs)
        glDeleteShader(fs);
    return prog;
}

bool vg_gl_shaders_init(struct vg_renderer *r)
{
    r->prog_image = link_program("image", image_fragment_src);
    r->prog_mask = link_program("mask", mask_fragment_src);
    if (!r->prog_image || !r->prog_mask)
        return false;

    r->image_u_size = glGetUniformLocation(r->prog_image, "u_size");
    r->image_u_tex = glGetUniformLocation(r->prog_image, "u_tex");
    r->image_u_opaque = glGetUniformLocation(r->prog_image, "u_opaque");
    r->image_u_max_v = glGetUniformLocation(r->prog_image, "u_max_v");
    r->mask_u_size = glGetUniformLocation(r->prog_mask, "u_size");
    r->mask_u_tex = glGetUniformLocation(r->prog_mask, "u_tex");

    /* Every draw samples texture unit 0. */
    glUseProgram(r->prog_image);
    glUniform1i(r->image_u_tex, 0);
    glUniform1f(r->image_u_max_v, 1.0f);
    glUseProgram(r->prog_mask);
    glUniform1i(r->mask_u_tex, 0);
    glUseProgram(0);
    return true;
}

void vg_gl_shaders_finish(struct vg_renderer *r)
{
    if (r->prog_image)
        glDeleteProgram(r->prog_image);
    if (r->prog_mask)
        glDeleteProgram(r->prog_mask);
    r->prog_image = r->prog_mask = 0;
}
