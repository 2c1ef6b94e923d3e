#include "fakeroot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fakeroot: %s %s: %s\n", what, path, strerror(errno));
    abort();
}

static void mkdirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            die("mkdir", buf);
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        die("mkdir", buf);
}

static void parent_dirs(const char *full)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", full);
    char *slash = strrchr(buf, '/');
    if (slash && slash != buf) {
        *slash = 0;
        mkdirs(buf);
    }
}

void fr_write(const char *root, const char *path, const char *content)
{
    char full[4096];
    snprintf(full, sizeof(full), "%s%s", root, path);
    parent_dirs(full);
    FILE *f = fopen(full, "w");
    if (!f)
        die("fopen", full);
    fputs(content, f);
    fclose(f);
}

static void mkdir_in(const char *root, const char *path)
{
    char full[4096];
    snprintf(full, sizeof(full), "%s%s", root, path);
    mkdirs(full);
}

static void link_in(const char *root, const char *path, const char *target)
{
    char full[4096];
    snprintf(full, sizeof(full), "%s%s", root, path);
    parent_dirs(full);
    unlink(full);
    if (symlink(target, full) != 0)
        die("symlink", full);
}

char *fr_read(const char *root, const char *path)
{
    char full[4096];
    snprintf(full, sizeof(full), "%s%s", root, path);
    return vg_test_slurp(full);
}

static void device(const char *root, const struct fr_dev *d)
{
    char dir[256], path[320], val[64];
    snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", d->bdf);
    mkdir_in(root, dir);
#define ATTR(name, fmt, v)                                                                         \
    do {                                                                                           \
        snprintf(path, sizeof(path), "%s/" name, dir);                                             \
        snprintf(val, sizeof(val), fmt "\n", v);                                                   \
        fr_write(root, path, val);                                                                 \
    } while (0)
    ATTR("vendor", "0x%04x", d->vendor);
    ATTR("device", "0x%04x", d->device);
    ATTR("subsystem_vendor", "0x%04x", d->vendor);
    ATTR("subsystem_device", "0x%04x", 0x1234);
    ATTR("class", "0x%06x", d->cls);
    ATTR("driver_override", "%s", "(null)");
    if (d->boot_vga >= 0)
        ATTR("boot_vga", "%d", d->boot_vga);
    if (d->reset)
        ATTR("reset_method", "%s", d->reset);
#undef ATTR
    if (d->driver) {
        char drv[128];
        snprintf(drv, sizeof(drv), "/sys/bus/pci/drivers/%s", d->driver);
        mkdir_in(root, drv);
        snprintf(path, sizeof(path), "%s/driver", dir);
        snprintf(drv, sizeof(drv), "../../drivers/%s", d->driver);
        link_in(root, path, drv);
    }
    if (d->group >= 0) {
        char g[128], target[128];
        snprintf(g, sizeof(g), "/sys/kernel/iommu_groups/%d/devices/%s", d->group, d->bdf);
        snprintf(target, sizeof(target), "../../../bus/pci/devices/%s", d->bdf);
        link_in(root, g, target);
        snprintf(path, sizeof(path), "%s/iommu_group", dir);
        snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d", d->group);
        link_in(root, path, target);
    }
}

void fr_build(const char *root, const struct fr_machine *m)
{
    char buf[8192];
    snprintf(buf, sizeof(buf),
             "processor\t: 0\nvendor_id\t: %s\nmodel name\t: %s CPU\nflags\t\t: %s\n\n"
             "processor\t: 1\nvendor_id\t: %s\nflags\t\t: %s\n",
             m->cpu_vendor, m->name, m->flags, m->cpu_vendor, m->flags);
    fr_write(root, "/proc/cpuinfo", buf);
    snprintf(buf, sizeof(buf), "%s\n", m->cmdline);
    fr_write(root, "/proc/cmdline", buf);
    snprintf(buf, sizeof(buf), "%s\n", m->release);
    fr_write(root, "/proc/sys/kernel/osrelease", buf);
    fr_write(root, "/proc/meminfo",
             m->meminfo ? m->meminfo
                        : "MemTotal:       32768000 kB\n"
                          "HugePages_Total:       0\n"
                          "Hugepagesize:       2048 kB\n");
    /* As systemd leaves it: hugetlbfs on /dev/hugepages. */
    fr_write(root, "/proc/mounts",
             "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
             "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
             "tmpfs /dev/shm tmpfs rw,nosuid,nodev,inode64 0 0\n"
             "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n");
    if (m->kvm)
        fr_write(root, "/dev/kvm", "");
    bool amd = !strcmp(m->cpu_vendor, "AuthenticAMD");
    if (m->paging) {
        snprintf(buf, sizeof(buf), "%s\n", m->paging);
        fr_write(root,
                 amd ? "/sys/module/kvm_amd/parameters/npt"
                     : "/sys/module/kvm_intel/parameters/ept",
                 buf);
    }
    if (m->acpi) {
        snprintf(buf, sizeof(buf), "/sys/firmware/acpi/tables/%s", m->acpi);
        fr_write(root, buf, "binary table");
    }
    mkdir_in(root, "/sys/kernel/iommu_groups");
    mkdir_in(root, "/sys/bus/pci/devices");
    fr_write(root, "/sys/bus/pci/drivers_probe", "");
    for (size_t i = 0; i < sizeof(m->devs) / sizeof(m->devs[0]) && m->devs[i].bdf; i++) {
        struct fr_dev d = m->devs[i];
        if (!m->group_type)
            d.group = -1;
        device(root, &d);
        if (m->group_type && d.group >= 0) {
            snprintf(buf, sizeof(buf), "/sys/kernel/iommu_groups/%d/type", d.group);
            char t[32];
            snprintf(t, sizeof(t), "%s\n", m->group_type);
            fr_write(root, buf, t);
        }
    }
    for (size_t i = 0; i < sizeof(m->conns) / sizeof(m->conns[0]) && m->conns[i].name; i++) {
        const struct fr_conn *c = &m->conns[i];
        char card[32], target[128];
        snprintf(card, sizeof(card), "%.*s", (int)strcspn(c->name, "-"), c->name);
        snprintf(buf, sizeof(buf), "/sys/class/drm/%s/device", card);
        snprintf(target, sizeof(target), "../../../bus/pci/devices/%s", c->bdf);
        link_in(root, buf, target);
        snprintf(buf, sizeof(buf), "/sys/class/drm/%s/status", c->name);
        snprintf(target, sizeof(target), "%s\n", c->status);
        fr_write(root, buf, target);
        snprintf(buf, sizeof(buf), "/sys/class/drm/%s/modes", c->name);
        fr_write(root, buf, c->modes ? c->modes : "");
    }
    /* Kernel modules: vfio-pci as a module or built in. */
    const char *ko = "kernel/drivers/vfio/pci/vfio-pci.ko";
    snprintf(buf, sizeof(buf), "/lib/modules/%s/%s", m->release,
             m->vfio_builtin ? "modules.builtin" : "modules.dep");
    char line[256];
    snprintf(line, sizeof(line),
             m->vfio_builtin ? "kernel/drivers/vfio/vfio.ko\n%s\n"
                             : "kernel/drivers/vfio/vfio.ko:\n%s: "
                               "kernel/drivers/vfio/vfio.ko\n",
             ko);
    fr_write(root, buf, line);
    /* Desktop pieces for the hooks. */
    if (m->dm_unit) {
        snprintf(buf, sizeof(buf), "/usr/lib/systemd/system/%s", m->dm_unit);
        link_in(root, "/etc/systemd/system/display-manager.service", buf);
    }
    fr_write(root, "/sys/class/vtconsole/vtcon0/bind", "1\n");
    fr_write(root, "/sys/class/vtconsole/vtcon1/bind", "1\n");
    for (size_t i = 0; i < sizeof(m->files) / sizeof(m->files[0]) && m->files[i].path; i++) {
        if (m->files[i].content)
            fr_write(root, m->files[i].path, m->files[i].content);
        else
            mkdir_in(root, m->files[i].path);
    }
}

int fr_run(char *const argv[], char **out, char **err)
{
    /* What the user's terminal and sudo would add must not change the output under test. */
    setenv("NO_COLOR", "1", 1);
    unsetenv("SUDO_USER");
    static char dir[4096];
    char o[4200], e[4200];
    if (!dir[0])
        snprintf(dir, sizeof(dir), "%s", vg_test_tmpdir());
    snprintf(o, sizeof(o), "%s/stdout", dir);
    snprintf(e, sizeof(e), "%s/stderr", dir);
    fflush(NULL);
    pid_t pid = vg_test_spawn_io(argv, o, e, false);
    int rc = pid > 0 ? vg_test_wait(pid, 60000) : -1;
    *out = vg_test_slurp(o);
    if (!*out)
        *out = strdup("");
    if (err) {
        *err = vg_test_slurp(e);
        if (!*err)
            *err = strdup("");
    }
    unlink(o);
    unlink(e);
    return rc;
}

bool fr_golden(const char *golden_dir, const char *name, const char *text)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", golden_dir, name);
    const char *update = getenv("VG_UPDATE_GOLDEN");
    if (update && *update == '1') {
        fr_write("", path, text);
        return true;
    }
    char *want = fr_read("", path);
    bool same = want && !strcmp(want, text);
    if (!same) {
        fprintf(stderr, "golden %s differs (VG_UPDATE_GOLDEN=1 rewrites it after review).\n", path);
        char got[] = "/tmp/vgapt-golden-XXXXXX";
        int fd = mkstemp(got);
        if (fd >= 0) {
            if (write(fd, text, strlen(text)) < 0)
                perror("write");
            close(fd);
            char *argv[] = {"/usr/bin/diff", "-u", path, got, NULL};
            char *o = NULL;
            fr_run(argv, &o, NULL);
            fprintf(stderr, "%s", o ? o : "");
            free(o);
            unlink(got);
        }
    }
    free(want);
    return same;
}
