// The wide-character API only appears when these are defined before curses.h
// (SwiftPM drops pkg-config's -D flags), and Swift cannot import the macros and C
// globals below, so small inline functions expose them.
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <unistd.h>

static inline WINDOW *paytop_stdscr(void) { return stdscr; }
static inline int paytop_lines(void) { return LINES; }
static inline int paytop_cols(void) { return COLS; }
static inline int paytop_colors(void) { return COLORS; }
static inline int paytop_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t paytop_a_normal(void) { return A_NORMAL; }
static inline attr_t paytop_a_bold(void) { return A_BOLD; }
static inline attr_t paytop_a_dim(void) { return A_DIM; }
static inline attr_t paytop_a_reverse(void) { return A_REVERSE; }
static inline attr_t paytop_a_underline(void) { return A_UNDERLINE; }
static inline int paytop_key_resize(void) { return KEY_RESIZE; }
static inline int paytop_key_f(int n) { return KEY_F(n); }
static inline int paytop_wcwidth(wchar_t c) { return wcwidth(c); }
static inline int paytop_set_attr(attr_t a, short pair) { return attr_set(a, pair, NULL); }
static inline int paytop_mvaddnwstr(int y, int x, const wchar_t *s, int n) { return mvaddnwstr(y, x, s, n); }
static inline int paytop_get_wch(wint_t *c) { return get_wch(c); }
static inline const char *paytop_codeset(void) { return nl_langinfo(CODESET); }
static inline SCREEN *paytop_newterm(void) { return newterm(NULL, stdout, stdin); }
#include <sys/ioctl.h>
// The terminal's size as the kernel knows it, whatever thread got SIGWINCH.
static inline int paytop_winsize(int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(1, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 0;
}
