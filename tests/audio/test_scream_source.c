/* The Scream source (host-client/audio/source/scream) on a real file that someone truncates
 * while the client reads it: the read past the new end used to kill the client with SIGBUS.
 * Now the source says "region shrank to N bytes" and plays the ring again once the file is
 * sized again and the writer starts over. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "audio_source.h"
#include "testlib.h"
#include "vg/scream.h"
#include "vg/time.h"

#define SIZE (2u << 20)

static char path[600];

static struct vg_scream_writer *start_writer(uint8_t **map)
{
    int fd = open(path, O_RDWR | O_CREAT, 0600);
    CHECK(fd >= 0 && ftruncate(fd, SIZE) == 0);
    *map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    CHECK(*map != MAP_FAILED);
    struct vg_scream_writer *w = vg_scream_writer_create(*map, SIZE);
    CHECK(w && vg_scream_writer_open(w, 48000, 16, 2, 0) == 0);
    return w;
}

/* Reads until a chunk arrives (writing one a period) or timeout_ms; true on a chunk. */
static bool read_chunk(struct vg_audio_source *s, struct vg_scream_writer *w, uint8_t *buf,
                       size_t cap, int timeout_ms)
{
    static uint8_t chunk[65536];
    struct vg_scream_layout l;
    uint64_t end = vg_time_ns() + (uint64_t)timeout_ms * VG_NS_PER_MS;
    while (vg_time_ns() < end) {
        if (w && vg_scream_writer_layout(w, &l))
            vg_scream_writer_write(w, chunk);
        struct vg_audio_read r;
        for (int i = 0; i < 4; i++) {
            int k = vg_audio_source_scream.read(s, vg_time_ns(), buf, cap, &r);
            if (k == VG_AUDIO_READ_CHUNK)
                return true;
            if (k != VG_AUDIO_READ_FORMAT)
                break;
        }
        vg_sleep_ns(20 * VG_NS_PER_MS);
    }
    return false;
}

static void a_truncated_ring_is_survived_and_played_again(void)
{
    uint8_t *map;
    struct vg_scream_writer *w = start_writer(&map);
    struct vg_audio_source *s =
        vg_audio_source_scream.create(&(struct vg_audio_source_args){.path = path, .max_behind = 8});
    CHECK(s != NULL);
    static uint8_t buf[1 << 20];
    CHECK_MSG(read_chunk(s, w, buf, sizeof(buf), 2000), "no chunk from a good ring");

    /* Truncated under both mappings: the writer's own writes would fault too, so it stops. */
    vg_scream_writer_destroy(w);
    munmap(map, SIZE);
    CHECK(truncate(path, 4096) == 0);
    bool said = false;
    for (int i = 0; i < 100 && !said; i++) {
        struct vg_audio_read r;
        vg_audio_source_scream.read(s, vg_time_ns(), buf, sizeof(buf), &r);
        said = strstr(r.reason, "region shrank to 4096 bytes") != NULL;
        vg_sleep_ns(10 * VG_NS_PER_MS);
    }
    CHECK_MSG(said, "the truncation was not reported");

    /* Sized again, a writer starts over: played again without a new source. */
    CHECK(truncate(path, 0) == 0);
    w = start_writer(&map);
    CHECK_MSG(read_chunk(s, w, buf, sizeof(buf), 3000), "no chunk after the file was sized again");
    vg_audio_source_scream.destroy(s);
    vg_scream_writer_destroy(w);
    munmap(map, SIZE);
}

int main(void)
{
    snprintf(path, sizeof(path), "%s/scream-ivshmem", vg_test_tmpdir());
    RUN(a_truncated_ring_is_survived_and_played_again);
    return vg_test_finish();
}
