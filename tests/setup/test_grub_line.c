/* The GRUB_CMDLINE_LINUX_DEFAULT edit against the shell that reads /etc/default/grub: after the
 * plan's edit, /bin/sh sourcing the file gets the old flags plus the new ones, whatever the
 * quoting (double, single, escaped quotes, none), with a trailing comment kept as a comment;
 * the last assignment is the one edited; a value the edit cannot rewrite safely is left alone
 * and the plan says what to add by hand.
 * Usage: test-setup-grub-line */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fakeroot.h"
#include "model/model.h"
#include "plan/kcmdline.h"
#include "testlib.h"
#include "vg/log.h"

static const char *tmp;
static int n_roots;
static const char *const add[] = {"intel_iommu=on", "iommu=pt", NULL};

/* Plans the edit of a /etc/default/grub holding grub; returns the new text (owned) or NULL
 * when the plan wrote nothing; *notes gets the plan's notes (owned). */
static char *edit(const char *grub, char **notes)
{
    char root[600];
    snprintf(root, sizeof(root), "%s/r%d", tmp, n_roots++);
    mkdir(root, 0755);
    fr_build(root, &fr_x399); /* GRUB with update-grub */
    fr_write(root, "/etc/default/grub", grub);
    struct vg_host h;
    CHECK(vg_host_load(&h, root));
    struct vg_plan p;
    vg_plan_init(&p, "grub", root);
    vg_plan_kernel_cmdline(&p, &h, add, NULL, "test");
    char *text = NULL;
    for (size_t i = 0; i < p.n; i++)
        if (p.steps[i].kind == VG_STEP_WRITE && !strcmp(p.steps[i].path, "/etc/default/grub"))
            text = strdup(p.steps[i].content);
    *notes = strdup(p.notes.data ? p.notes.data : "");
    vg_plan_finish(&p);
    vg_host_finish(&h);
    return text;
}

/* What update-grub sees: the variable after /bin/sh sources the file (owned). */
static char *sourced(const char *text)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/grub-%d", tmp, n_roots++);
    fr_write("", path, text);
    char script[800];
    snprintf(script, sizeof(script), ". '%s'; printf '%%s' \"$GRUB_CMDLINE_LINUX_DEFAULT\"", path);
    char *argv[] = {"/bin/sh", "-c", script, NULL};
    char *out = NULL, *err = NULL;
    int rc = fr_run(argv, &out, &err);
    CHECK_MSG(rc == 0, "sh: %s", err);
    free(err);
    return out;
}

static void check_case(const char *grub, const char *want_value, const char *want_tail)
{
    char *notes;
    char *text = edit(grub, &notes);
    CHECK_MSG(text != NULL, "no edit of: %s", grub);
    if (text) {
        char *value = sourced(text);
        CHECK_MSG(value && !strcmp(value, want_value), "%s\n-> %s\nsh reads '%s', want '%s'", grub,
                  text, value, want_value);
        CHECK_MSG(!want_tail || strstr(text, want_tail), "%s\n-> %s\nlost '%s'", grub, text,
                  want_tail);
        free(value);
    }
    free(text);
    free(notes);
}

static void quoting_and_comments_survive_the_edit(void)
{
    check_case("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"  # set by installer\n",
               "quiet splash intel_iommu=on iommu=pt", "\"  # set by installer\n");
    check_case("GRUB_CMDLINE_LINUX_DEFAULT='quiet splash' # it's mine\n",
               "quiet splash intel_iommu=on iommu=pt", " # it's mine\n");
    check_case("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet acpi_osi=\\\"Windows 2015\\\"\"\n",
               "quiet acpi_osi=\"Windows 2015\" intel_iommu=on iommu=pt", NULL);
    check_case("GRUB_CMDLINE_LINUX_DEFAULT='acpi_osi=\"Linux\" quiet'\n",
               "acpi_osi=\"Linux\" quiet intel_iommu=on iommu=pt", NULL);
    check_case("GRUB_CMDLINE_LINUX_DEFAULT=quiet\n", "quiet intel_iommu=on iommu=pt", NULL);
    check_case("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet # not a comment\"\n",
               "quiet # not a comment intel_iommu=on iommu=pt", NULL);
    check_case("GRUB_CMDLINE_LINUX_DEFAULT=\"\"\n", "intel_iommu=on iommu=pt", NULL);
    check_case("X=1\n", "intel_iommu=on iommu=pt", "X=1\n");
    /* The shell keeps the last assignment: that is the one to edit. */
    check_case("#GRUB_CMDLINE_LINUX_DEFAULT=\"old\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
               "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet splash\"\n",
               "quiet splash intel_iommu=on iommu=pt",
               "#GRUB_CMDLINE_LINUX_DEFAULT=\"old\"\n"
               "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
    /* An expansion of an earlier value keeps expanding. */
    check_case("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"
               "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT splash\"\n",
               "quiet splash intel_iommu=on iommu=pt", NULL);
}

static void a_value_it_cannot_rewrite_is_left_alone_with_a_note(void)
{
    const char *cases[] = {
        "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\nsplash\"\n",
        "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet `cat /etc/flags`\"\n",
        "GRUB_CMDLINE_LINUX_DEFAULT=\"price=\\$5\"\n",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *notes;
        char *text = edit(cases[i], &notes);
        CHECK_MSG(text == NULL, "edited: %s", cases[i]);
        CHECK_MSG(strstr(notes, "edit it by hand (add \"intel_iommu=on iommu=pt\")"), "notes: %s",
                  notes);
        free(text);
        free(notes);
    }
}

int main(void)
{
    tmp = vg_test_tmpdir();
    vg_log_init("test-setup-grub-line", VG_LOG_WARN);
    RUN(quoting_and_comments_survive_the_edit);
    RUN(a_value_it_cannot_rewrite_is_left_alone_with_a_note);
    return vg_test_finish();
}
