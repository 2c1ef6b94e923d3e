/* The clipboard exchange (input/clipboard.h): what the guest's agent sends is kept only as valid
 * UTF-8 text of bounded size, each side's text reaches the other once, and the host's clipboard
 * taking the guest's own text is not offered back to the guest. */
#include <stdlib.h>
#include <string.h>

#include "clipboard.h"
#include "testlib.h"

static bool valid(const char *s)
{
    return vg_clipboard_text_valid(s, strlen(s));
}

static void utf8_text_is_accepted_and_malformed_sequences_are_refused(void)
{
    CHECK(valid(""));
    CHECK(valid("plain ASCII\r\n\t"));
    CHECK(valid("\xc3\xa9t\xc3\xa9")); /* été */
    CHECK(valid("\xe2\x82\xac 100"));  /* € */
    CHECK(valid("\xf0\x9f\x98\x80"));  /* U+1F600 */
    CHECK(valid("\xf4\x8f\xbf\xbf"));  /* U+10FFFF */
    CHECK(valid("\xed\x9f\xbf"));      /* U+D7FF */
    CHECK(!valid("\xc0\x80"));         /* overlong NUL */
    CHECK(!valid("\xc1\xbf"));         /* overlong */
    CHECK(!valid("\xe0\x80\xaf"));     /* overlong '/' */
    CHECK(!valid("\xf0\x8f\xbf\xbf")); /* overlong U+FFFF */
    CHECK(!valid("\xed\xa0\x80"));     /* surrogate U+D800 */
    CHECK(!valid("\xed\xbf\xbf"));     /* surrogate U+DFFF */
    CHECK(!valid("\xf4\x90\x80\x80")); /* above U+10FFFF */
    CHECK(!valid("\xf5\x80\x80\x80"));
    CHECK(!valid("\xff"));
    CHECK(!valid("\x80"));                      /* a lone continuation */
    CHECK(!valid("abc\xe2\x82"));               /* cut short at the end */
    CHECK(!valid("\xe2\x28\xa1"));              /* not a continuation */
    CHECK(!vg_clipboard_text_valid("a\0b", 3)); /* a NUL inside */
}

static void the_guests_text_is_handed_out_once_without_its_trailing_nul(void)
{
    struct vg_clipboard *cb = vg_clipboard_create(true, true);
    CHECK(cb && !vg_clipboard_take_guest(cb));
    CHECK(vg_clipboard_put_guest(cb, "first", 5));
    CHECK(vg_clipboard_put_guest(cb, "second\0\0", 8));
    char *s = vg_clipboard_take_guest(cb);
    CHECK_MSG(s && strcmp(s, "second") == 0, "took '%s'", s ? s : "(null)");
    free(s);
    CHECK(!vg_clipboard_take_guest(cb));
    /* An empty clipboard is text too. */
    CHECK(vg_clipboard_put_guest(cb, NULL, 0));
    s = vg_clipboard_take_guest(cb);
    CHECK(s && s[0] == 0);
    free(s);
    vg_clipboard_destroy(cb);
}

static void hostile_guest_text_is_refused_and_nothing_is_kept(void)
{
    struct vg_clipboard *cb = vg_clipboard_create(true, true);
    CHECK(!vg_clipboard_put_guest(cb, "a\0b", 3));
    CHECK(!vg_clipboard_put_guest(cb, "\xed\xa0\x80", 3));
    CHECK(!vg_clipboard_put_guest(cb, NULL, 4));
    size_t big = VG_CLIPBOARD_MAX + 1;
    char *huge = malloc(big);
    CHECK(huge);
    if (huge) {
        memset(huge, 'x', big);
        CHECK(!vg_clipboard_put_guest(cb, huge, big));
        CHECK(vg_clipboard_put_guest(cb, huge, VG_CLIPBOARD_MAX));
        char *s = vg_clipboard_take_guest(cb);
        CHECK(s && strlen(s) == VG_CLIPBOARD_MAX);
        free(s);
    }
    free(huge);
    CHECK(!vg_clipboard_take_guest(cb));
    vg_clipboard_destroy(cb);
}

static void the_hosts_text_is_offered_when_it_changes_and_not_echoed_back(void)
{
    struct vg_clipboard *cb = vg_clipboard_create(true, true);
    size_t len = 1;
    CHECK(!vg_clipboard_host_has_text(cb) && !vg_clipboard_host_text(cb, &len) && len == 0);
    CHECK(vg_clipboard_set_host(cb, "host text"));
    CHECK(!vg_clipboard_set_host(cb, "host text")); /* no news */
    char *s = vg_clipboard_host_text(cb, &len);
    CHECK(s && len == 9 && strcmp(s, "host text") == 0);
    free(s);
    /* The guest's text, once in the host's clipboard, comes back as the host's: no offer. */
    CHECK(vg_clipboard_put_guest(cb, "from the guest", 14));
    s = vg_clipboard_take_guest(cb);
    free(s);
    CHECK(!vg_clipboard_set_host(cb, "from the guest"));
    CHECK(vg_clipboard_host_has_text(cb));
    CHECK(vg_clipboard_set_host(cb, "copied on the host"));
    /* Cleared: the guest hears that the host holds nothing. */
    CHECK(vg_clipboard_set_host(cb, NULL));
    CHECK(!vg_clipboard_host_has_text(cb));
    CHECK(!vg_clipboard_set_host(cb, ""));
    /* Invalid text from the host side is held as none. */
    CHECK(vg_clipboard_set_host(cb, "x"));
    CHECK(vg_clipboard_set_host(cb, "\xff"));
    CHECK(!vg_clipboard_host_has_text(cb));
    vg_clipboard_destroy(cb);
}

static void a_direction_switched_off_passes_nothing(void)
{
    struct vg_clipboard *cb = vg_clipboard_create(false, true);
    size_t len;
    CHECK(!vg_clipboard_set_host(cb, "secret"));
    CHECK(!vg_clipboard_host_has_text(cb) && !vg_clipboard_host_text(cb, &len));
    vg_clipboard_destroy(cb);
    cb = vg_clipboard_create(true, false);
    CHECK(!vg_clipboard_put_guest(cb, "text", 4));
    CHECK(!vg_clipboard_take_guest(cb));
    vg_clipboard_destroy(cb);
    vg_clipboard_destroy(NULL);
}

static void a_large_text_passes_whole(void)
{
    size_t n = 200 * 1024;
    char *t = malloc(n + 1);
    CHECK(t);
    if (!t)
        return;
    for (size_t i = 0; i < n; i++)
        t[i] = (char)('a' + i % 26);
    memcpy(t + 1000, "\xe2\x82\xac", 3);
    t[n] = 0;
    struct vg_clipboard *cb = vg_clipboard_create(true, true);
    CHECK(vg_clipboard_set_host(cb, t));
    size_t len = 0;
    char *s = vg_clipboard_host_text(cb, &len);
    CHECK(s && len == n && memcmp(s, t, n) == 0);
    free(s);
    CHECK(vg_clipboard_put_guest(cb, t, n));
    s = vg_clipboard_take_guest(cb);
    CHECK(s && strlen(s) == n && memcmp(s, t, n) == 0);
    free(s);
    vg_clipboard_destroy(cb);
    free(t);
}

static void line_ends_convert_for_a_windows_guest_and_back(void)
{
    size_t n = 0;
    char *w = vg_clipboard_lf_to_crlf("a\nb\r\n\n", 6, &n);
    CHECK_MSG(w && n == 8 && memcmp(w, "a\r\nb\r\n\r\n", 8) == 0, "got %zu bytes", n);
    char back[] = "a\r\nb\r\n\r\nc\r";
    size_t m = vg_clipboard_crlf_to_lf(back, strlen(back));
    CHECK(m == 7 && memcmp(back, "a\nb\n\nc\r", 7) == 0);
    free(w);
    w = vg_clipboard_lf_to_crlf("", 0, &n);
    CHECK(w && n == 0 && w[0] == 0);
    free(w);
    CHECK(!vg_clipboard_lf_to_crlf("x", VG_CLIPBOARD_MAX + 1, &n) && n == 0);
}

int main(void)
{
    RUN(utf8_text_is_accepted_and_malformed_sequences_are_refused);
    RUN(the_guests_text_is_handed_out_once_without_its_trailing_nul);
    RUN(hostile_guest_text_is_refused_and_nothing_is_kept);
    RUN(the_hosts_text_is_offered_when_it_changes_and_not_echoed_back);
    RUN(a_direction_switched_off_passes_nothing);
    RUN(a_large_text_passes_whole);
    RUN(line_ends_convert_for_a_windows_guest_and_back);
    return vg_test_finish();
}
