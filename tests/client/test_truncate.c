/* The real client under Xvfb while someone truncates the shared file under it (anyone in the
 * file's group may): the read past the new end used to kill it with SIGBUS. Now it says
 * "region shrank to N bytes", waits, and shows the next guest once the file is sized again —
 * for our frame protocol and for Looking Glass's. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "testlib.h"
#include "vg/time.h"

static char *client, *guest;
static const char *dir;

static pid_t start_guest(const char *subcommand, const char *shm, const char *log)
{
    char *argv[] = {
        guest, (char *)subcommand, "--shm", (char *)shm, "--size", "320x200", "--fps", "30", NULL};
    return spawn_logged(argv, log);
}

static void survives(const char *subcommand, const char *shown)
{
    char shm[600], log[600];
    snprintf(shm, sizeof(shm), "%s/%s.shm", dir, subcommand);
    snprintf(log, sizeof(log), "%s/%s.log", dir, subcommand);
    pid_t g = start_guest(subcommand, shm, log);
    char *cv[] = {client,       "--shm",      shm,         "--size", "320x200",
                  "--no-vsync", "--no-audio", "--seconds", "60",     NULL};
    pid_t c = spawn_logged(cv, log);
    long at = wait_for_text(log, shown, 0, 20000);
    CHECK_MSG(at > 0, "%s: the guest was not shown", subcommand);

    struct stat st;
    CHECK(stat(shm, &st) == 0);
    off_t size = st.st_size;
    CHECK(truncate(shm, 4096) == 0);
    at = wait_for_text(log, "region shrank to 4096 bytes", at, 5000);
    CHECK_MSG(at > 0, "%s: the truncation was not reported", subcommand);
    vg_sleep_ns(500 * VG_NS_PER_MS);
    CHECK_MSG(kill(c, 0) == 0, "%s: the client died", subcommand);

    /* The file is sized again and a guest starts on it: shown without a restart. */
    kill(g, SIGKILL);
    vg_test_wait(g, 5000);
    CHECK(truncate(shm, 0) == 0 && truncate(shm, size) == 0);
    g = start_guest(subcommand, shm, log);
    at = wait_for_text(log, shown, at, 20000);
    CHECK_MSG(at > 0, "%s: the guest after the truncation was not shown", subcommand);

    kill(g, SIGTERM);
    vg_test_wait(g, 5000);
    kill(c, SIGTERM);
    int status = vg_test_wait(c, 10000);
    CHECK_MSG(status == 0, "%s: client exit %d", subcommand, status);
    if (vg_test_failures) {
        char *text = vg_test_slurp(log);
        fprintf(stderr, "--- %s ---\n%s\n", log, text ? text : "");
        free(text);
    }
}

static void a_truncated_frame_region_is_survived(void)
{
    survives("pattern", "guest ready (vgfp)");
}

static void a_truncated_looking_glass_region_is_survived(void)
{
    survives("lgmp-pattern", "guest ready (lgmp)");
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    client = argv[1];
    guest = argv[2];
    dir = vg_test_tmpdir();
    RUN(a_truncated_frame_region_is_survived);
    RUN(a_truncated_looking_glass_region_is_survived);
    return vg_test_finish();
}
