// A small C interface to RE2 (Debian's libre2-dev) for Swift: compile a pattern, test a UTF-8
// buffer for an unanchored match, free. RE2 matches in time linear in the text, whatever the
// pattern, which is why InfluxQL regexes (Go's regexp, RE2 syntax) go through it.
#ifndef CRE2_H
#define CRE2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A compiled RE2 object. Immutable after cre2_new: matching from several threads at once is safe.
typedef struct CRE2Regex CRE2Regex;

/// RE2::ErrorCode, value for value.
enum {
    CRE2_NO_ERROR = 0,
    CRE2_ERROR_INTERNAL,
    CRE2_ERROR_BAD_ESCAPE,
    CRE2_ERROR_BAD_CHAR_CLASS,
    CRE2_ERROR_BAD_CHAR_RANGE,
    CRE2_ERROR_MISSING_BRACKET,
    CRE2_ERROR_MISSING_PAREN,
    CRE2_ERROR_UNEXPECTED_PAREN,
    CRE2_ERROR_TRAILING_BACKSLASH,
    CRE2_ERROR_REPEAT_ARGUMENT,
    CRE2_ERROR_REPEAT_SIZE,
    CRE2_ERROR_REPEAT_OP,
    CRE2_ERROR_BAD_PERL_OP,
    CRE2_ERROR_BAD_UTF8,
    CRE2_ERROR_BAD_NAMED_CAPTURE,
    CRE2_ERROR_PATTERN_TOO_LARGE,
};

/// What RE2 said about a pattern it refused: one of the codes above, and the fragment of the
/// pattern at fault (`arg`, `arg_length` bytes, not NUL-terminated; free it with cre2_free_error).
typedef struct {
    int code;
    char *_Nullable arg;
    size_t arg_length;
} CRE2Error;

/// Compiles `length` bytes of UTF-8 at `pattern` with Go's defaults (Perl syntax, UTF-8, case
/// sensitive, `^`/`$` at text ends, `.` not matching `\n`). Returns NULL when RE2 refuses the
/// pattern, and then fills `error`; the caller frees `error->arg` with cre2_free_error.
CRE2Regex *_Nullable cre2_new(const char *_Nullable pattern, size_t length, CRE2Error *_Nonnull error);

/// 1 when the pattern matches somewhere in the `length` bytes at `text` (unanchored), else 0.
/// `text` may be NULL when `length` is 0; it may contain NUL bytes.
int cre2_partial_match(const CRE2Regex *_Nonnull regex, const char *_Nullable text, size_t length);

/// Frees a compiled regex.
void cre2_delete(CRE2Regex *_Nullable regex);

/// Frees what cre2_new put in `error->arg`.
void cre2_free_error(CRE2Error *_Nonnull error);

#ifdef __cplusplus
}
#endif

#endif
