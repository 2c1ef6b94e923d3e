#include "initramfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

/* One newc entry: the 110-byte header, the name and the data, each padded to 4 bytes. */
static void entry(FILE *out, unsigned *ino, const char *name, unsigned mode, const void *data,
                  size_t size)
{
    size_t namesize = strlen(name) + 1;
    fprintf(out, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", (*ino)++, mode,
            0, 0, 1, 0, size, 0, 0, 0, 0, namesize, 0);
    fwrite(name, 1, namesize, out);
    for (size_t pad = (4 - (110 + namesize) % 4) % 4; pad; pad--)
        fputc(0, out);
    if (size)
        fwrite(data, 1, size, out);
    for (size_t pad = (4 - size % 4) % 4; pad; pad--)
        fputc(0, out);
}

static bool host_file(FILE *out, unsigned *ino, const char *name, const char *path)
{
    size_t size;
    char *buf = vg_test_read_file(path, &size);
    if (buf)
        entry(out, ino, name, 0100755, buf, size);
    else
        fprintf(stderr, "initramfs: cannot read %s\n", path);
    free(buf);
    return buf != NULL;
}

bool vg_initramfs_write(const char *path, const char *init_script,
                        const struct vg_initramfs_file *files, size_t n_files, const char *moddir,
                        const char *const *modules, size_t n_modules)
{
    FILE *out = fopen(path, "wb");
    if (!out) {
        fprintf(stderr, "initramfs: cannot write %s\n", path);
        return false;
    }
    unsigned ino = 1;
    static const char *const dirs[] = {"bin", "dev", "proc", "sys", "m"};
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        entry(out, &ino, dirs[i], 040755, NULL, 0);
    entry(out, &ino, "init", 0100755, init_script, strlen(init_script));
    bool ok = true;
    for (size_t i = 0; ok && i < n_files; i++)
        ok = host_file(out, &ino, files[i].name, files[i].path);
    for (size_t i = 0; ok && i < n_modules; i++) {
        char src[1024], name[64];
        snprintf(src, sizeof(src), "%s/%s.ko", moddir, modules[i]);
        snprintf(name, sizeof(name), "m/%02zu.ko", i);
        ok = host_file(out, &ino, name, src);
    }
    entry(out, &ino, "TRAILER!!!", 0, NULL, 0);
    return fclose(out) == 0 && ok;
}
