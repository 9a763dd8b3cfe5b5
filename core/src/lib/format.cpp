#include "lib/format.h"

namespace v3 {

namespace {

class Sink {
public:
    Sink(char* buffer, usize size) : buffer_(buffer), size_(size) {}
    void put(char c) {
        if (size_ && written_ + 1 < size_)
            buffer_[written_++] = c;
    }
    void finish() {
        if (size_)
            buffer_[written_] = 0;
    }
    usize written() const { return written_; }

private:
    char* buffer_;
    usize size_;
    usize written_ = 0;
};

void put_padded(Sink& out, const char* text, usize length, int width, bool left, char pad) {
    int padding = width > int(length) ? width - int(length) : 0;
    if (!left)
        while (padding-- > 0)
            out.put(pad);
    for (usize i = 0; i < length; ++i)
        out.put(text[i]);
    if (left)
        while (padding-- > 0)
            out.put(' ');
}

usize to_digits(u64 value, unsigned base, bool upper, char* digits) {
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    usize n = 0;
    do {
        digits[n++] = set[value % base];
        value /= base;
    } while (value);
    for (usize i = 0; i < n / 2; ++i) {
        char t = digits[i];
        digits[i] = digits[n - 1 - i];
        digits[n - 1 - i] = t;
    }
    return n;
}

} // namespace

usize vformat(char* buffer, usize size, const char* fmt, __builtin_va_list args) {
    Sink out(buffer, size);
    for (const char* p = fmt; *p; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        ++p;
        bool left = false;
        char pad = ' ';
        for (;; ++p) {
            if (*p == '-')
                left = true;
            else if (*p == '0')
                pad = '0';
            else
                break;
        }
        int width = 0;
        if (*p == '*') {
            width = __builtin_va_arg(args, int);
            ++p;
        }
        while (*p >= '0' && *p <= '9')
            width = width * 10 + (*p++ - '0');
        // Precision: for %s the most characters to print (%.*s takes an int
        // argument), which is how StringViews are printed.
        int precision = -1;
        if (*p == '.') {
            ++p;
            precision = 0;
            if (*p == '*') {
                precision = __builtin_va_arg(args, int);
                ++p;
            }
            while (*p >= '0' && *p <= '9')
                precision = precision * 10 + (*p++ - '0');
        }
        int longs = 0;
        bool size_t_arg = false;
        while (*p == 'l') {
            ++longs;
            ++p;
        }
        if (*p == 'z') {
            size_t_arg = true;
            ++p;
        }
        char digits[24];
        switch (*p) {
        case 's': {
            const char* s = __builtin_va_arg(args, const char*);
            if (!s)
                s = "(null)";
            usize n = 0;
            while ((precision < 0 || n < usize(precision)) && s[n])
                ++n;
            put_padded(out, s, n, width, left, ' ');
            break;
        }
        case 'c': {
            char c = char(__builtin_va_arg(args, int));
            put_padded(out, &c, 1, width, left, ' ');
            break;
        }
        case 'd':
        case 'i': {
            i64 v = longs >= 2                 ? __builtin_va_arg(args, long long)
                    : longs == 1 || size_t_arg ? __builtin_va_arg(args, long)
                                               : __builtin_va_arg(args, int);
            u64 magnitude = v < 0 ? u64(0) - u64(v) : u64(v);
            usize n = 0;
            if (v < 0)
                digits[n++] = '-';
            n += to_digits(magnitude, 10, false, digits + n);
            put_padded(out, digits, n, width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            u64 v = longs >= 2                 ? __builtin_va_arg(args, unsigned long long)
                    : longs == 1 || size_t_arg ? __builtin_va_arg(args, unsigned long)
                                               : __builtin_va_arg(args, unsigned);
            usize n = to_digits(v, *p == 'u' ? 10 : 16, *p == 'X', digits);
            put_padded(out, digits, n, width, left, pad);
            break;
        }
        case 'p': {
            u64 v = u64(uptr(__builtin_va_arg(args, void*)));
            digits[0] = '0';
            digits[1] = 'x';
            usize n = 2 + to_digits(v, 16, false, digits + 2);
            put_padded(out, digits, n, width, left, ' ');
            break;
        }
        case '%':
            out.put('%');
            break;
        case 0:
            --p; // a lone % at the end
            break;
        default:
            out.put('%');
            out.put(*p);
            break;
        }
    }
    out.finish();
    return out.written();
}

usize format(char* buffer, usize size, const char* fmt, ...) {
    __builtin_va_list args;
    __builtin_va_start(args, fmt);
    usize n = vformat(buffer, size, fmt, args);
    __builtin_va_end(args);
    return n;
}

} // namespace v3
