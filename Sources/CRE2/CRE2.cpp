#include "CRE2.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <re2/re2.h>

// The memory budget of one compiled regex: its compiled programs plus the lazily built DFA
// caches that make matching fast. 8 MiB is RE2's own default, kept deliberately: realistic
// tag and measurement patterns use a few KiB of it (the DFA cache grows only as far as the
// texts matched need), while a pattern whose compiled program alone would exceed it, such as
// `\pL{1000}` (UTF-8 makes each \pL large; Go would accept it), is refused ("expression too
// large") instead of taking unbounded memory per statement or live subscription. When the DFA
// cache fills up while matching, RE2 falls back to its NFA: slower, still linear in the text.
static constexpr int64_t kMaxMem = 8 << 20;

struct CRE2Regex {
    re2::RE2 re;
    CRE2Regex(re2::StringPiece pattern, const re2::RE2::Options &options) : re(pattern, options) {}
};

extern "C" CRE2Regex *cre2_new(const char *pattern, size_t length, CRE2Error *error) {
    error->code = CRE2_NO_ERROR;
    error->arg = nullptr;
    error->arg_length = 0;

    re2::RE2::Options options;
    options.set_encoding(re2::RE2::Options::EncodingUTF8);
    options.set_log_errors(false);  // else RE2 prints every refused pattern to stderr
    options.set_max_mem(kMaxMem);
    options.set_never_capture(true);  // only "does it match" is asked: no submatch bookkeeping

    CRE2Regex *regex = new (std::nothrow) CRE2Regex(re2::StringPiece(pattern ? pattern : "", length), options);
    if (regex == nullptr) {
        error->code = CRE2_ERROR_INTERNAL;
        return nullptr;
    }
    if (regex->re.ok()) return regex;

    error->code = static_cast<int>(regex->re.error_code());
    const std::string &arg = regex->re.error_arg();
    if (!arg.empty()) {
        error->arg = static_cast<char *>(std::malloc(arg.size()));
        if (error->arg != nullptr) {
            std::memcpy(error->arg, arg.data(), arg.size());
            error->arg_length = arg.size();
        }
    }
    delete regex;
    return nullptr;
}

extern "C" int cre2_partial_match(const CRE2Regex *regex, const char *text, size_t length) {
    re2::StringPiece piece(text ? text : "", length);
    return regex->re.Match(piece, 0, length, re2::RE2::UNANCHORED, nullptr, 0) ? 1 : 0;
}

extern "C" void cre2_delete(CRE2Regex *regex) { delete regex; }

extern "C" void cre2_free_error(CRE2Error *error) {
    std::free(error->arg);
    error->arg = nullptr;
    error->arg_length = 0;
}
