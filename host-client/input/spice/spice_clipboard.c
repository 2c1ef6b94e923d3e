/* spice-glib reassembles the agent's messages (which span chunks of VD_AGENT_MAX_DATA_SIZE)
 * and hands each clipboard message whole; what it holds is still the guest's word, checked by
 * vg_clipboard_put_guest. */
#include "spice_clipboard.h"

#include <spice/vd_agent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clipboard.h"
#include "vg/log.h"

struct vg_spice_clip {
    SpiceMainChannel *main;
    struct vg_clipboard *cb;
    char where[300];
    bool grabbed; /* the guest was told that the host holds text */
    bool agent;   /* the guest's agent takes the clipboard */
};

static bool agent_ready(struct vg_spice_clip *c)
{
    gboolean connected = FALSE;
    g_object_get(c->main, "agent-connected", &connected, NULL);
    return connected &&
           spice_main_channel_agent_test_capability(c->main, VD_AGENT_CAP_CLIPBOARD_BY_DEMAND);
}

void vg_spice_clip_host_changed(struct vg_spice_clip *c)
{
    if (!c || !agent_ready(c))
        return;
    if (vg_clipboard_host_has_text(c->cb)) {
        guint32 type = VD_AGENT_CLIPBOARD_UTF8_TEXT;
        spice_main_channel_clipboard_selection_grab(c->main, VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD,
                                                    &type, 1);
        c->grabbed = true;
        vg_debug("SPICE %s: host clipboard text offered to the guest", c->where);
    } else if (c->grabbed) {
        spice_main_channel_clipboard_selection_release(c->main,
                                                       VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD);
        c->grabbed = false;
    }
}

/* A Windows agent wants CRLF line ends and gives them. */
static bool guest_wants_crlf(struct vg_spice_clip *c)
{
    return spice_main_channel_agent_test_capability(c->main, VD_AGENT_CAP_GUEST_LINEEND_CRLF);
}

/* The agent came or went, or announced its capabilities: offer what the host holds. */
static void on_agent_update(SpiceChannel *ch, gpointer data)
{
    struct vg_spice_clip *c = data;
    bool ready = agent_ready(c);
    if (ready != c->agent)
        vg_info("SPICE %s: %s", c->where,
                ready ? "the guest's agent is there: clipboard shared"
                      : "no agent in the guest: clipboard not shared");
    c->agent = ready;
    if (!ready) {
        c->grabbed = false;
        return;
    }
    if (!c->grabbed)
        vg_spice_clip_host_changed(c);
}

static void on_agent_connected(GObject *obj, GParamSpec *pspec, gpointer data)
{
    on_agent_update(SPICE_CHANNEL(obj), data);
}

static gboolean on_guest_grab(SpiceMainChannel *ch, guint selection, gpointer types, guint ntypes,
                              gpointer data)
{
    struct vg_spice_clip *c = data;
    if (selection != VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD)
        return FALSE;
    /* The guest owns its clipboard now: our offer is gone. */
    c->grabbed = false;
    if (!vg_clipboard_to_host(c->cb) || !types)
        return TRUE;
    const guint32 *t = types;
    for (guint i = 0; i < ntypes && i < 64; i++) {
        if (t[i] == VD_AGENT_CLIPBOARD_UTF8_TEXT) {
            /* SDL keeps no lazy clipboard: the text is fetched now. */
            spice_main_channel_clipboard_selection_request(c->main, selection,
                                                           VD_AGENT_CLIPBOARD_UTF8_TEXT);
            return TRUE;
        }
    }
    vg_debug("SPICE %s: the guest's clipboard holds no text", c->where);
    return TRUE;
}

static void on_guest_data(SpiceMainChannel *ch, guint selection, guint type, gpointer bytes,
                          guint size, gpointer data)
{
    struct vg_spice_clip *c = data;
    if (selection != VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD || !vg_clipboard_to_host(c->cb))
        return;
    if (type != VD_AGENT_CLIPBOARD_UTF8_TEXT) {
        vg_warn("SPICE %s: guest clipboard data of type %u ignored (text only)", c->where, type);
        return;
    }
    char *lf = NULL;
    if (size <= VG_CLIPBOARD_MAX && bytes && guest_wants_crlf(c) && (lf = malloc(size)) != NULL) {
        memcpy(lf, bytes, size);
        size = (guint)vg_clipboard_crlf_to_lf(lf, size);
        bytes = lf;
    }
    if (size > VG_CLIPBOARD_MAX)
        vg_warn("SPICE %s: guest clipboard text of %u bytes ignored (at most %zu)", c->where, size,
                VG_CLIPBOARD_MAX);
    else if (!vg_clipboard_put_guest(c->cb, bytes, size))
        vg_warn("SPICE %s: guest clipboard text of %u bytes ignored: not UTF-8 text", c->where,
                size);
    else
        vg_debug("SPICE %s: guest clipboard text, %u bytes", c->where, size);
    free(lf);
}

static gboolean on_guest_request(SpiceMainChannel *ch, guint selection, guint type, gpointer data)
{
    struct vg_spice_clip *c = data;
    if (selection != VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD || type != VD_AGENT_CLIPBOARD_UTF8_TEXT)
        return FALSE;
    size_t len = 0;
    char *text = vg_clipboard_host_text(c->cb, &len);
    if (!text)
        return FALSE;
    if (guest_wants_crlf(c)) {
        char *crlf = vg_clipboard_lf_to_crlf(text, len, &len);
        free(text);
        if (!(text = crlf))
            return FALSE;
    }
    spice_main_channel_clipboard_selection_notify(c->main, selection, type, (const guchar *)text,
                                                  len);
    vg_debug("SPICE %s: host clipboard text sent to the guest, %zu bytes", c->where, len);
    free(text);
    return TRUE;
}

static void on_guest_release(SpiceMainChannel *ch, guint selection, gpointer data)
{
    /* The host's clipboard keeps what it was given. */
}

struct vg_spice_clip *vg_spice_clip_create(SpiceMainChannel *main, struct vg_clipboard *cb,
                                           const char *where)
{
    struct vg_spice_clip *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->main = main;
    c->cb = cb;
    snprintf(c->where, sizeof(c->where), "%s", where);
    /* spice-glib's own bound on the clipboard messages it gathers, where it has one. */
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(main), "max-clipboard"))
        g_object_set(main, "max-clipboard", (gint)VG_CLIPBOARD_MAX, NULL);
    g_signal_connect(main, "main-agent-update", G_CALLBACK(on_agent_update), c);
    g_signal_connect(main, "notify::agent-connected", G_CALLBACK(on_agent_connected), c);
    g_signal_connect(main, "main-clipboard-selection-grab", G_CALLBACK(on_guest_grab), c);
    g_signal_connect(main, "main-clipboard-selection", G_CALLBACK(on_guest_data), c);
    g_signal_connect(main, "main-clipboard-selection-request", G_CALLBACK(on_guest_request), c);
    g_signal_connect(main, "main-clipboard-selection-release", G_CALLBACK(on_guest_release), c);
    on_agent_update(SPICE_CHANNEL(main), c);
    return c;
}

void vg_spice_clip_destroy(struct vg_spice_clip *c)
{
    if (!c)
        return;
    g_signal_handlers_disconnect_by_data(c->main, c);
    free(c);
}
