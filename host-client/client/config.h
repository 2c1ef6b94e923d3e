/* vgapt-client's settings: defaults, then $XDG_CONFIG_HOME/vgapt/client.ini, then the
 * command line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "renderer.h"
#include "vg/log.h"

struct vg_input_addr;

struct vg_client_config {
    char *shm;
    char *config;
    bool fullscreen;
    bool vsync;
    bool overlay;
    bool pbo;
    int scale;              /* enum vg_scale_mode */
    int filter;             /* enum vg_filter */
    uint32_t size[2];       /* initial window size */
    int64_t poll_us;
    int64_t stall_ms;
    int64_t seconds;        /* 0 = until closed */
    int log_level;          /* enum vg_log_level */
    bool stats;             /* log a latency summary at exit */
    char *screenshot;       /* testing: write the presented frame (PPM) and exit */
    int64_t screenshot_serial;
    /* audio */
    bool audio;             /* play the guest's Scream audio (--no-audio: off) */
    bool audio_only;        /* no window: audio alone */
    char *scream;           /* the Scream IVSHMEM region */
    int audio_source;       /* index into vg_client_audio_sources */
    char *audio_target;     /* [optional] PipeWire sink to play on */
    char *audio_role;       /* media.role */
    int64_t audio_latency_ms;
    int64_t audio_quantum_ms;
    int64_t audio_idle_s;
    int64_t audio_report_s;
    int mic;                /* enum vg_mic_policy: the guest's recording gets the microphone */
    char *mic_source;       /* [optional] PipeWire source node to record from */
    /* keyboard and mouse */
    char *spice;            /* SPICE server: unix:/PATH, HOST:PORT or none */
    bool input;             /* send keyboard and mouse to it (--no-input: off) */
    char *escape_key;       /* SDL key name of the escape key */
    bool capture_on_start;  /* capture the pointer once connected */
    bool grab_keyboard;     /* while captured, grab the keyboard too (Alt+Tab to the guest) */
    /* libvirt */
    char *domain;           /* [optional] the domain whose regions and SPICE server to use */
    char *connect;          /* its libvirt URI */
    /* [optional] Set by --domain (client_domain.h): the SPICE address that wins over spice. */
    const struct vg_input_addr *spice_addr;
    /* clipboard, through --spice and the guest's agent */
    bool clipboard_to_guest; /* offer the host's clipboard text to the guest */
    bool clipboard_to_host;  /* take the guest's clipboard text into the host's */
};

/* The SPICE server to use: cfg->spice_addr when set, else cfg->spice parsed
 * (vg_input_parse_addr). */
bool vg_client_spice_addr(const struct vg_client_config *cfg, struct vg_input_addr *out, char *err,
                          size_t err_size);

/* --audio-source's names, NULL-terminated: the audio source backends' names (audio_source.h). */
extern const char *const vg_client_audio_sources[];

enum vg_client_parse {
    VG_CLIENT_RUN,
    VG_CLIENT_EXIT_OK,
    VG_CLIENT_EXIT_ERROR,
};

/* Fills cfg (owned strings; free with vg_client_config_free). */
enum vg_client_parse vg_client_config_parse(struct vg_client_config *cfg, int argc, char **argv);
void vg_client_config_free(struct vg_client_config *cfg);
