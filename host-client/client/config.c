#include "config.h"

#include <stdio.h>
#include <string.h>

#include "input.h"
#include "input_ctl.h"
#include "mic_policy.h"
#include "vg/opts.h"
#include "vg/version.h"

const char *const vg_client_audio_sources[] = {"auto", "scream", "spice", NULL};
static const char *const scale_names[] = {"fit", "integer", "stretch", "native", NULL};
static const char *const filter_names[] = {"linear", "nearest", NULL};
static const char *const level_names[] = {"error", "warn", "info", "debug", NULL};

#define OPT(name, sh, type, dest, min, max, choices, arg, help, section) \
    {name, sh, type, dest, min, max, choices, arg, help, section, NULL}

static size_t build_table(struct vg_opt *t, struct vg_client_config *c)
{
    const struct vg_opt opts[] = {
        OPT("shm", 's', VG_OPT_STRING, &c->shm, 0, 0, NULL, "FILE",
            "shared memory of the guest: /dev/shm/NAME, /dev/kvmfrN or a PCI resource file",
            NULL),
        {"config", 0, VG_OPT_STRING, &c->config, 0, 0, NULL, "FILE",
         "INI file read before the command line", NULL,
         "/etc/xdg/vgapt/client.ini, then ~/.config/vgapt/client.ini, where they exist"},
        OPT("fullscreen", 'F', VG_OPT_FLAG, &c->fullscreen, 0, 0, NULL, NULL,
            "start fullscreen (F11 toggles)", NULL),
        OPT("size", 0, VG_OPT_SIZE, c->size, 1, 16384, NULL, "WxH", "initial window size", NULL),
        OPT("scale", 0, VG_OPT_CHOICE, &c->scale, 0, 0, scale_names, "MODE",
            "how the guest's frame fills the window: fit keeps the aspect ratio; integer "
            "enlarges by whole multiples (a frame larger than the window is fitted); stretch "
            "fills it; native is 1:1 and may crop",
            NULL),
        OPT("filter", 0, VG_OPT_CHOICE, &c->filter, 0, 0, filter_names, "FILTER",
            "texture filter when scaling", NULL),
        OPT("vsync", 0, VG_OPT_FLAG, &c->vsync, 0, 0, NULL, NULL,
            "wait for the display's vertical blank when presenting", NULL),
        OPT("overlay", 'o', VG_OPT_FLAG, &c->overlay, 0, 0, NULL, NULL,
            "show frame rates and the ingest/latency graph (F12 toggles)", NULL),
        OPT("pbo", 0, VG_OPT_FLAG, &c->pbo, 0, 0, NULL, NULL,
            "upload through a persistent-mapped pixel buffer where GL_ARB_buffer_storage exists",
            NULL),
        OPT("poll-us", 0, VG_OPT_INT, &c->poll_us, 100, 100000, NULL, "US",
            "how often to look for a new frame when idle, in microseconds", NULL),
        OPT("stall-ms", 0, VG_OPT_INT, &c->stall_ms, 200, 1000, NULL, "MS",
            "heartbeat silence after which the guest is considered stopped", NULL),
        OPT("seconds", 0, VG_OPT_INT, &c->seconds, 0, 1e9, NULL, "N",
            "quit after N seconds (0: run until the window is closed)", NULL),
        OPT("stats", 0, VG_OPT_FLAG, &c->stats, 0, 0, NULL, NULL,
            "log frame counts and ingest/latency percentiles at exit", NULL),
        OPT("log-level", 0, VG_OPT_CHOICE, &c->log_level, 0, 0, level_names, "LEVEL",
            "messages shown on stderr", NULL),
        OPT("screenshot", 0, VG_OPT_STRING, &c->screenshot, 0, 0, NULL, "FILE",
            "testing: save the window as PPM once a frame with serial >= --screenshot-serial "
            "is shown, then quit",
            NULL),
        OPT("screenshot-serial", 0, VG_OPT_INT, &c->screenshot_serial, 1, 1e18, NULL, "N",
            "testing: the frame serial --screenshot waits for", NULL),
        OPT("audio", 0, VG_OPT_FLAG, &c->audio, 0, 0, NULL, NULL,
            "play the guest's audio, from Scream or SPICE (--audio-source; --no-audio: off)",
            NULL),
        OPT("audio-only", 0, VG_OPT_FLAG, &c->audio_only, 0, 0, NULL, NULL,
            "no window: play the guest's audio only (see vgapt-audio.service)", NULL),
        OPT("scream", 0, VG_OPT_STRING, &c->scream, 0, 0, NULL, "FILE",
            "the Scream IVSHMEM region: /dev/shm/NAME of <shmem name='NAME'>", NULL),
        OPT("audio-source", 0, VG_OPT_CHOICE, &c->audio_source, 0, 0, vg_client_audio_sources,
            "SOURCE",
            "where the guest's audio comes from: scream (the IVSHMEM ring), spice (the "
            "playback channel of --spice) or auto (Scream while its ring is live, else SPICE)",
            NULL),
        OPT("audio-target", 0, VG_OPT_STRING, &c->audio_target, 0, 0, NULL, "NODE",
            "PipeWire sink (node.name or serial) to play on; empty: the default sink", NULL),
        OPT("audio-role", 0, VG_OPT_STRING, &c->audio_role, 0, 0, NULL, "ROLE",
            "media.role of the stream (Game, Music, Movie, ...)", NULL),
        OPT("audio-latency-ms", 0, VG_OPT_INT, &c->audio_latency_ms, 10, 500, NULL, "MS",
            "audio buffered on top of the guest's 20 ms chunks, held there against clock "
            "drift",
            NULL),
        OPT("audio-quantum-ms", 0, VG_OPT_INT, &c->audio_quantum_ms, 0, 100, NULL, "MS",
            "the PipeWire graph period to ask for, doubled up to 20 ms while graph stalls recur "
            "(it applies to the whole graph, the lowest request wins); 0: ask for none. The "
            "buffering adapts to whatever the graph runs",
            NULL),
        OPT("audio-idle-s", 0, VG_OPT_INT, &c->audio_idle_s, 0, 86400, NULL, "S",
            "close the audio stream after S seconds without audio from the guest (0: never)",
            NULL),
        OPT("audio-report-s", 0, VG_OPT_INT, &c->audio_report_s, 0, 3600, NULL, "S",
            "log the audio buffer, drift and error counters every S seconds (0: never)", NULL),
        OPT("mic", 0, VG_OPT_CHOICE, &c->mic, 0, 0, vg_mic_policy_names, "POLICY",
            "when the guest records (SPICE record channel), whether it gets the host's "
            "microphone: allow, deny, or ask in the window (without one, as with --audio-only: "
            "deny)",
            NULL),
        OPT("mic-source", 0, VG_OPT_STRING, &c->mic_source, 0, 0, NULL, "NODE",
            "PipeWire source (node.name) the guest records from; empty: the default source",
            NULL),
        OPT("spice", 0, VG_OPT_STRING, &c->spice, 0, 0, NULL, "URI",
            "SPICE server of the VM that takes keyboard and mouse: unix:/PATH (QEMU -spice "
            "unix=on,addr=PATH), HOST:PORT, or none",
            NULL),
        OPT("input", 0, VG_OPT_FLAG, &c->input, 0, 0, NULL, NULL,
            "send keyboard and mouse to the guest through --spice (--no-input: keep them)",
            NULL),
        OPT("escape-key", 0, VG_OPT_STRING, &c->escape_key, 0, 0, NULL, "KEY",
            "SDL name of the key that captures and releases the pointer, and with F, O, Q, D, "
            "I: fullscreen, overlay, quit, Ctrl+Alt+Del, input on/off. Never sent to the guest",
            NULL),
        OPT("capture-on-start", 0, VG_OPT_FLAG, &c->capture_on_start, 0, 0, NULL, NULL,
            "capture the pointer (relative motion, for games) as soon as the guest takes input",
            NULL),
        OPT("grab-keyboard", 0, VG_OPT_FLAG, &c->grab_keyboard, 0, 0, NULL, NULL,
            "while the pointer is captured, grab the keyboard too (Alt+Tab goes to the guest)",
            NULL),
        OPT("domain", 0, VG_OPT_STRING, &c->domain, 0, 0, NULL, "NAME",
            "the libvirt domain (VM) to show: its <shmem> regions give --shm and --scream where "
            "those are left at their defaults, and libvirt connects SPICE where --spice is none",
            NULL),
        OPT("connect", 0, VG_OPT_STRING, &c->connect, 0, 0, NULL, "URI",
            "the libvirt that --domain is on (qemu:///session: your own VMs)", NULL),
        OPT("clipboard-to-guest", 0, VG_OPT_FLAG, &c->clipboard_to_guest, 0, 0, NULL, NULL,
            "offer the host's clipboard text to the guest through --spice (it needs a SPICE "
            "agent in the guest: spice-vdagent, or the Windows guest tools)",
            NULL),
        OPT("clipboard-to-host", 0, VG_OPT_FLAG, &c->clipboard_to_host, 0, 0, NULL, NULL,
            "take text the guest copies into the host's clipboard through --spice (it needs a "
            "SPICE agent in the guest)",
            NULL),
    };
    memcpy(t, opts, sizeof(opts));
    return sizeof(opts) / sizeof(opts[0]);
}

enum vg_client_parse vg_client_config_parse(struct vg_client_config *c, int argc, char **argv)
{
    static const struct vg_opts_program prog = {
        .name = "vgapt-client",
        .usage = "[OPTIONS]",
        .summary = "Shows a VM guest's frames from IVSHMEM shared memory in a window.\n"
                   "The guest application is recognised by the data it writes: the Looking "
                   "Glass B7 host application (LGMP 6 / KVMFR 20), which Windows guests run, or "
                   "vgapt-guest (our frame protocol). The guest's audio, from the Scream driver's IVSHMEM "
                   "ring, plays through PipeWire (--audio-only: without a window).\n"
                   "Keys: F11 fullscreen, F12 overlay (while the guest takes keyboard and mouse "
                   "through --spice: the escape key with F, O; alone it captures the pointer).\n"
                   "Settings ('name = value' lines, names as below) come from "
                   "/etc/xdg/vgapt/client.ini (each directory of $XDG_CONFIG_DIRS, the first "
                   "listed winning), then from $XDG_CONFIG_HOME/vgapt/client.ini "
                   "(~/.config/vgapt/client.ini), then from the command line, each overriding "
                   "the one before; --config FILE is read instead of the files.",
        .version = VG_VERSION,
    };
    memset(c, 0, sizeof(*c));
    vg_opts_set_string(&c->shm, "/dev/shm/looking-glass");
    c->vsync = true;
    c->pbo = true;
    c->size[0] = 1280;
    c->size[1] = 720;
    c->poll_us = 1000;
    c->stall_ms = 500;
    c->log_level = VG_LOG_INFO;
    c->screenshot_serial = 1;
    c->audio = true;
    vg_opts_set_string(&c->scream, "/dev/shm/scream-ivshmem");
    vg_opts_set_string(&c->audio_role, "Game");
    c->audio_latency_ms = 20;
    c->audio_quantum_ms = 10;
    c->audio_idle_s = 10;
    c->audio_report_s = 10;
    c->mic = VG_MIC_ASK;
    vg_opts_set_string(&c->spice, "none");
    c->input = true;
    vg_opts_set_string(&c->escape_key, "ScrollLock");
    c->grab_keyboard = true;
    vg_opts_set_string(&c->connect, "qemu:///system");
    c->clipboard_to_guest = true;
    c->clipboard_to_host = true;

    struct vg_opt table[48];
    size_t n = build_table(table, c);

    /* The config file is read first so the command line wins; --config itself is looked up
     * in argv before anything else. */
    char path[4096];
    bool explicit_config = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            snprintf(path, sizeof(path), "%s", argv[i + 1]);
            explicit_config = true;
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            snprintf(path, sizeof(path), "%s", argv[i] + 9);
            explicit_config = true;
        }
    }
    /* --config FILE stands for all of them: a run that names its file reads nothing else. */
    enum vg_opts_result loaded = explicit_config ? vg_opts_load_ini(table, n, path, false)
                                                 : vg_opts_load_config(table, n, "client.ini");
    if (loaded != VG_OPTS_OK)
        return VG_CLIENT_EXIT_ERROR;

    switch (vg_opts_parse(&prog, table, n, argc, argv, NULL, 0, NULL)) {
    case VG_OPTS_OK: {
        /* Settings that the table cannot check: a usage error now, not a surprise later. */
        struct vg_input_addr addr;
        char err[400];
        if (!vg_input_parse_addr(c->spice, &addr, err, sizeof(err)) ||
            !vg_input_ctl_check_key(c->escape_key, err, sizeof(err))) {
            fprintf(stderr, "vgapt-client: %s\n", err);
            return VG_CLIENT_EXIT_ERROR;
        }
        if (strcmp(vg_client_audio_sources[c->audio_source], "spice") == 0 &&
            addr.kind == VG_INPUT_ADDR_NONE && !(c->domain && c->domain[0])) {
            fprintf(stderr, "vgapt-client: --audio-source spice needs --spice URI: the VM's "
                            "SPICE server (unix:/PATH or HOST:PORT)\n");
            return VG_CLIENT_EXIT_ERROR;
        }
        return VG_CLIENT_RUN;
    }
    case VG_OPTS_EXIT_OK:
        return VG_CLIENT_EXIT_OK;
    default:
        return VG_CLIENT_EXIT_ERROR;
    }
}

bool vg_client_spice_addr(const struct vg_client_config *cfg, struct vg_input_addr *out, char *err,
                          size_t err_size)
{
    if (cfg->spice_addr) {
        *out = *cfg->spice_addr;
        err[0] = 0;
        return true;
    }
    return vg_input_parse_addr(cfg->spice, out, err, err_size);
}

void vg_client_config_free(struct vg_client_config *c)
{
    struct vg_opt table[48];
    vg_opts_free(table, build_table(table, c));
}
