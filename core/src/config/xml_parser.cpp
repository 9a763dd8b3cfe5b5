#include "config/xml_parser.h"

#include "config/text_arg.h"
#include "lib/format.h"

namespace v3::xml {

namespace {

constexpr StringView kByteOrderMark("\xEF\xBB\xBF", 3);

bool is_name_start(char c) {
    u8 b = u8(c);
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '_' || b == ':' || b >= 0x80;
}

bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool is_space(char c) {
    return StringView::is_space(c);
}

// The Char production of XML 1.0.
bool is_xml_char(u32 cp) {
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

usize encode_utf8(u32 cp, char* out) {
    if (cp < 0x80) {
        out[0] = char(cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = char(0xC0 | (cp >> 6));
        out[1] = char(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = char(0xE0 | (cp >> 12));
        out[1] = char(0x80 | ((cp >> 6) & 0x3F));
        out[2] = char(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = char(0xF0 | (cp >> 18));
    out[1] = char(0x80 | ((cp >> 12) & 0x3F));
    out[2] = char(0x80 | ((cp >> 6) & 0x3F));
    out[3] = char(0x80 | (cp & 0x3F));
    return 4;
}

// Decodes one UTF-8 sequence at bytes[0..available); returns its length, or
// 0 when it is malformed (bad lead or continuation byte, overlong form,
// surrogate, beyond U+10FFFF).
usize decode_utf8(const u8* bytes, usize available, u32& cp) {
    u8 lead = bytes[0];
    if (lead < 0x80) {
        cp = lead;
        return 1;
    }
    usize length;
    u32 min; // the smallest code point that needs this length (shorter is overlong)
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        cp = lead & 0x1F;
        min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        cp = lead & 0x0F;
        min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        cp = lead & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (available < length)
        return 0;
    for (usize i = 1; i < length; ++i) {
        if ((bytes[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (bytes[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return length;
}

// One character named for a message: 'x', or its byte value when it would
// not print.
struct CharName {
    char text[24];
};

CharName name_char(const char* at, bool at_end) {
    CharName name{};
    if (at_end)
        format(name.text, sizeof name.text, "the end of the document");
    else if (*at == ' ')
        format(name.text, sizeof name.text, "a space");
    else if (u8(*at) > 0x20 && u8(*at) < 0x7f)
        format(name.text, sizeof name.text, "'%c'", *at);
    else
        format(name.text, sizeof name.text, "byte 0x%02x", unsigned(u8(*at)));
    return name;
}

} // namespace

Error Parser::fail(usize offset, const char* fmt, ...) {
    Position where = position_of(offset);
    error_.line = where.line;
    error_.column = where.column;
    __builtin_va_list args;
    __builtin_va_start(args, fmt);
    vformat(error_.message, sizeof error_.message, fmt, args);
    __builtin_va_end(args);
    return make_error(Errno::Inval, "malformed XML document");
}

Error Parser::out_of_memory() {
    Position where = position_of(pos_);
    error_.line = where.line;
    error_.column = where.column;
    format(error_.message, sizeof error_.message, "out of memory while parsing the document");
    return make_error(Errno::NoMem, "out of memory while parsing XML");
}

Parser::Position Parser::position_of(usize offset) {
    if (offset < cached_offset_) {
        cached_offset_ = 0;
        cached_position_ = {1, 1};
    }
    if (offset > original_.length())
        offset = original_.length();
    for (usize i = cached_offset_; i < offset; ++i) {
        char c = original_[i];
        if (c == '\n') {
            ++cached_position_.line;
            cached_position_.column = 1;
        } else if ((u8(c) & 0xC0) != 0x80) { // UTF-8 continuation bytes share a column
            ++cached_position_.column;
        }
    }
    cached_offset_ = offset;
    return cached_position_;
}

bool Parser::at(StringView s) const {
    return length_ - pos_ >= s.length() && StringView(text_ + pos_, s.length()) == s;
}

bool Parser::skip_whitespace() {
    usize start = pos_;
    while (!at_end() && is_space(text_[pos_]))
        ++pos_;
    return pos_ != start;
}

Result<void> Parser::check_encoding() {
    const auto* bytes = reinterpret_cast<const u8*>(original_.data());
    for (usize i = 0; i < length_;) {
        u8 b = bytes[i];
        if (b < 0x20 && b != '\t' && b != '\n' && b != '\r')
            return fail(i, "control character 0x%02x is not allowed in an XML document",
                        unsigned(b));
        if (b < 0x80) {
            ++i;
            continue;
        }
        u32 cp = 0;
        usize n = decode_utf8(bytes + i, length_ - i, cp);
        if (n == 0)
            return fail(i, "invalid UTF-8 at byte 0x%02x (the document must be UTF-8 text)",
                        unsigned(b));
        if (!is_xml_char(cp))
            return fail(i, "character U+%04X is not allowed in an XML document", unsigned(cp));
        i += n;
    }
    return {};
}

Result<void> Parser::run() {
    if (original_.length() > kMaxInputBytes)
        return fail(kMaxInputBytes,
                    "the document is %zu bytes, over the limit of %zu bytes (1 MiB)",
                    original_.length(), kMaxInputBytes);
    if (original_.trimmed().is_empty())
        return fail(original_.length(), "the document is empty: expected a root element");

    length_ = original_.length();
    text_ = static_cast<char*>(allocate(length_ + 1));
    if (!text_)
        return out_of_memory();
    for (usize i = 0; i < length_; ++i)
        text_[i] = original_[i];
    text_[length_] = 0;
    document_.text_ = text_;
    document_.length_ = length_;
    if (!open_.try_reserve(kMaxDepth) || !attributes_.try_reserve(8) || !segments_.try_reserve(64))
        return out_of_memory();

    TRY(check_encoding());
    if (at(kByteOrderMark))
        pos_ += kByteOrderMark.length();
    content_start_ = pos_;

    while (!at_end()) {
        if (open_.is_empty()) {
            TRY(skip_outside_root());
            if (!at_end())
                TRY(parse_markup(false));
        } else if (peek() == '<') {
            TRY(parse_markup(true));
        } else {
            TRY(parse_character_data());
        }
    }
    if (!open_.is_empty()) {
        const Element& open = *open_.last().element;
        return fail(length_, "the document ends inside <%s> (opened at line %u, column %u)",
                    TextArg(open.name()).c_str(), open.line(), open.column());
    }
    if (!document_.root_)
        return fail(length_, "the document has no root element");
    return {};
}

Result<void> Parser::skip_outside_root() {
    skip_whitespace();
    if (at_end() || peek() == '<')
        return {};
    if (document_.root_)
        return fail(pos_, "text after the root element <%s>: only comments may follow it",
                    TextArg(document_.root_->name()).c_str());
    return fail(pos_, "text before the root element: the document must start with markup");
}

Result<void> Parser::parse_markup(bool in_root) {
    if (at("<!--"))
        return parse_comment();
    if (at("<![CDATA[")) {
        if (!in_root)
            return fail(pos_, "CDATA section outside the root element");
        return parse_cdata();
    }
    if (at("<!DOCTYPE"))
        return fail(pos_, "DOCTYPE declarations are not supported (this parser has no DTD "
                          "support): remove the <!DOCTYPE ...> declaration");
    if (at("<!"))
        return fail(pos_, "unexpected '<!': only comments <!-- --> and CDATA sections "
                          "<![CDATA[ ]]> start that way");
    if (at("<?"))
        return parse_processing_instruction();
    if (at("</"))
        return parse_end_tag();
    if (root_closed_)
        return fail(pos_, "a second root element: the document already had its root <%s>",
                    TextArg(document_.root_->name()).c_str());
    return parse_start_tag();
}

Result<StringView> Parser::scan_name(const char* what) {
    if (at_end() || !is_name_start(peek()))
        return fail(pos_, "expected %s name, found %s", what,
                    name_char(text_ + pos_, at_end()).text);
    usize start = pos_;
    while (!at_end() && is_name_char(peek()))
        ++pos_;
    return StringView(text_ + start, pos_ - start);
}

Result<void> Parser::parse_start_tag() {
    usize start = pos_++;
    if (open_.size() >= kMaxDepth)
        return fail(start, "elements are nested more than %zu levels deep", kMaxDepth);
    if (document_.element_count_ >= kMaxElements)
        return fail(start, "the document has more than %zu elements", kMaxElements);
    StringView name = TRY(scan_name("an element"));

    attributes_.clear();
    bool self_closing = false;
    for (;;) {
        bool spaced = skip_whitespace();
        if (at_end())
            return fail(start, "start tag <%s> is never closed with '>'", TextArg(name).c_str());
        char c = peek();
        if (c == '>') {
            ++pos_;
            break;
        }
        if (c == '/') {
            if (peek(1) != '>')
                return fail(pos_, "expected '/>' to end the start tag <%s>", TextArg(name).c_str());
            pos_ += 2;
            self_closing = true;
            break;
        }
        if (!is_name_start(c))
            return fail(pos_, "unexpected %s in the start tag <%s>",
                        name_char(text_ + pos_, false).text, TextArg(name).c_str());
        if (!spaced)
            return fail(pos_, "attributes in <%s> must be separated by whitespace",
                        TextArg(name).c_str());
        TRY(parse_attribute(name));
    }

    auto* element =
        static_cast<Element*>(document_.arena_.allocate(sizeof(Element), alignof(Element)));
    if (!element)
        return out_of_memory();
    new (element) Element();
    if (!attributes_.is_empty()) {
        auto* copy = static_cast<Attribute*>(
            document_.arena_.allocate(sizeof(Attribute) * attributes_.size(), alignof(Attribute)));
        if (!copy)
            return out_of_memory();
        for (usize i = 0; i < attributes_.size(); ++i)
            new (&copy[i]) Attribute(attributes_[i]);
        element->attributes_ = copy;
        element->attribute_count_ = u32(attributes_.size());
    }
    element->name_ = name;
    Position where = position_of(start);
    element->line_ = where.line;
    element->column_ = where.column;

    if (open_.is_empty()) {
        document_.root_ = element;
    } else {
        OpenElement& parent = open_.last();
        element->parent_ = parent.element;
        if (parent.last_child)
            parent.last_child->next_sibling_ = element;
        else
            parent.element->first_child_ = element;
        parent.last_child = element;
    }
    ++document_.element_count_;

    if (self_closing) {
        if (open_.is_empty())
            root_closed_ = true;
        return {};
    }
    if (!open_.try_append(OpenElement{element, nullptr, segments_.size()}))
        return out_of_memory();
    return {};
}

Result<void> Parser::parse_attribute(StringView element_name) {
    usize name_start = pos_;
    StringView name = TRY(scan_name("an attribute"));
    TextArg shown(name);
    skip_whitespace();
    if (peek() != '=' || at_end())
        return fail(pos_, "attribute '%s' needs a value: expected '=' after its name",
                    shown.c_str());
    ++pos_;
    skip_whitespace();
    char quote = peek();
    if (at_end() || (quote != '"' && quote != '\''))
        return fail(pos_, "the value of attribute '%s' must be in quotes", shown.c_str());
    usize open_quote = pos_++;
    usize value_start = pos_;
    usize write = pos_;
    for (;;) {
        if (at_end())
            return fail(open_quote, "the value of attribute '%s' has no closing quote",
                        shown.c_str());
        char c = peek();
        if (c == quote)
            break;
        if (c == '<')
            return fail(pos_,
                        "'<' is not allowed in the value of attribute '%s' (write &lt;; or is "
                        "its closing quote missing?)",
                        shown.c_str());
        if (c == '&') {
            TRY(decode_reference(write));
            continue;
        }
        text_[write++] = is_space(c) ? ' ' : c;
        ++pos_;
    }
    ++pos_; // the closing quote

    for (const Attribute& existing : attributes_)
        if (existing.name == name)
            return fail(name_start, "duplicate attribute '%s' in <%s>", shown.c_str(),
                        TextArg(element_name).c_str());
    if (attributes_.size() >= kMaxAttributesPerElement)
        return fail(name_start, "<%s> has more than %zu attributes", TextArg(element_name).c_str(),
                    kMaxAttributesPerElement);
    if (!attributes_.try_append(
            Attribute{name, StringView(text_ + value_start, write - value_start)}))
        return out_of_memory();
    return {};
}

Result<void> Parser::decode_reference(usize& write) {
    usize amp = pos_;
    if (peek(1) == '#') {
        usize i = pos_ + 2;
        bool hex = i < length_ && text_[i] == 'x';
        if (hex)
            ++i;
        usize digits = i;
        u32 value = 0;
        for (; i < length_; ++i) {
            char c = text_[i];
            u32 digit;
            if (c >= '0' && c <= '9')
                digit = u32(c - '0');
            else if (hex && c >= 'a' && c <= 'f')
                digit = u32(c - 'a' + 10);
            else if (hex && c >= 'A' && c <= 'F')
                digit = u32(c - 'A' + 10);
            else
                break;
            value = value * (hex ? 16 : 10) + digit;
            if (value > 0x10FFFF)
                value = 0x110000; // saturate: anything larger is rejected the same way
        }
        if (i == digits || i >= length_ || text_[i] != ';')
            return fail(amp, "malformed character reference: expected &#DIGITS; or &#xHEX;");
        TextArg reference(StringView(text_ + amp, i + 1 - amp));
        if (value > 0x10FFFF)
            return fail(amp, "character reference %s is beyond U+10FFFF", reference.c_str());
        if (!is_xml_char(value))
            return fail(amp, "character reference %s is not a character XML allows",
                        reference.c_str());
        char bytes[4];
        usize n = encode_utf8(value, bytes);
        // The reference is at least as long as its encoding, so this never
        // overtakes the text still to be read.
        for (usize k = 0; k < n; ++k)
            text_[write++] = bytes[k];
        pos_ = i + 1;
        return {};
    }

    usize i = pos_ + 1;
    while (i < length_ && is_name_char(text_[i]))
        ++i;
    if (i == pos_ + 1 || i >= length_ || text_[i] != ';')
        return fail(amp, "stray '&': write &amp; for a literal '&' (references look like &lt;)");
    StringView name(text_ + pos_ + 1, i - pos_ - 1);
    char decoded;
    if (name == "lt")
        decoded = '<';
    else if (name == "gt")
        decoded = '>';
    else if (name == "amp")
        decoded = '&';
    else if (name == "quot")
        decoded = '"';
    else if (name == "apos")
        decoded = '\'';
    else
        return fail(amp, "unknown entity &%s; (only &lt; &gt; &amp; &quot; &apos; and &#N; exist)",
                    TextArg(name).c_str());
    text_[write++] = decoded;
    pos_ = i + 1;
    return {};
}

Result<void> Parser::parse_character_data() {
    usize start = pos_;
    usize write = pos_;
    while (!at_end() && peek() != '<') {
        char c = peek();
        if (c == '&') {
            TRY(decode_reference(write));
            continue;
        }
        if (c == ']' && at("]]>"))
            return fail(pos_, "']]>' is not allowed in character data");
        text_[write++] = c;
        ++pos_;
    }
    if (write > start && !segments_.try_append(Segment{text_ + start, write - start}))
        return out_of_memory();
    return {};
}

Result<void> Parser::parse_comment() {
    usize start = pos_;
    pos_ += 4; // <!--
    for (;; ++pos_) {
        if (at_end())
            return fail(start, "comment is never closed with '-->'");
        if (peek() == '-' && peek(1) == '-') {
            if (peek(2) != '>')
                return fail(pos_, "'--' is not allowed inside a comment");
            pos_ += 3;
            return {};
        }
    }
}

Result<void> Parser::parse_cdata() {
    usize start = pos_;
    pos_ += 9; // <![CDATA[
    usize data = pos_;
    while (!at("]]>")) {
        if (at_end())
            return fail(start, "CDATA section is never closed with ']]>'");
        ++pos_;
    }
    if (pos_ > data && !segments_.try_append(Segment{text_ + data, pos_ - data}))
        return out_of_memory();
    pos_ += 3;
    return {};
}

Result<void> Parser::parse_processing_instruction() {
    usize start = pos_;
    pos_ += 2; // <?
    StringView target = TRY(scan_name("a processing-instruction target"));
    if (target.equals_ignoring_case("xml") && start != content_start_)
        return fail(start, "the XML declaration <?xml ...?> is only allowed at the very start of "
                           "the document");
    if (!at("?>") && !is_space(peek()))
        return fail(pos_, "expected a space or '?>' after <?%s", TextArg(target).c_str());
    while (!at("?>")) {
        if (at_end())
            return fail(start, "<?%s is never closed with '?>'", TextArg(target).c_str());
        ++pos_;
    }
    pos_ += 2;
    return {};
}

Result<void> Parser::parse_end_tag() {
    usize start = pos_;
    pos_ += 2; // </
    StringView name = TRY(scan_name("an element"));
    skip_whitespace();
    if (at_end() || peek() != '>')
        return fail(pos_, "expected '>' to end the end tag </%s>", TextArg(name).c_str());
    ++pos_;
    if (open_.is_empty())
        return fail(start, "end tag </%s> has no matching start tag", TextArg(name).c_str());
    const Element& open = *open_.last().element;
    if (open.name() != name)
        return fail(start, "end tag </%s> does not match the start tag <%s> at line %u, column %u",
                    TextArg(name).c_str(), TextArg(open.name()).c_str(), open.line(),
                    open.column());
    return close_element();
}

Result<void> Parser::close_element() {
    OpenElement& open = open_.last();
    open.element->text_ = TRY(join_text(open.first_segment));
    while (segments_.size() > open.first_segment)
        segments_.remove(segments_.size() - 1);
    open_.remove(open_.size() - 1);
    if (open_.is_empty())
        root_closed_ = true;
    return {};
}

Result<StringView> Parser::join_text(usize first_segment) {
    usize begin = first_segment;
    usize end = segments_.size();
    auto blank = [](const Segment& s) { return StringView(s.data, s.length).trimmed().is_empty(); };
    while (begin < end && blank(segments_[begin]))
        ++begin;
    while (end > begin && blank(segments_[end - 1]))
        --end;
    if (begin == end)
        return StringView();
    if (end - begin == 1)
        return StringView(segments_[begin].data, segments_[begin].length).trimmed();

    // Text interrupted by child elements, comments or CDATA: join it.
    StringView head(segments_[begin].data, segments_[begin].length);
    StringView tail(segments_[end - 1].data, segments_[end - 1].length);
    while (is_space(head[0]))
        head = head.substring(1);
    while (is_space(tail[tail.length() - 1]))
        tail = tail.substring(0, tail.length() - 1);
    usize total = head.length() + tail.length();
    for (usize i = begin + 1; i + 1 < end; ++i)
        total += segments_[i].length;
    auto* joined = static_cast<char*>(document_.arena_.allocate(total, 1));
    if (!joined)
        return out_of_memory();
    usize n = 0;
    auto append = [&](StringView part) {
        for (usize k = 0; k < part.length(); ++k)
            joined[n++] = part[k];
    };
    append(head);
    for (usize i = begin + 1; i + 1 < end; ++i)
        append(StringView(segments_[i].data, segments_[i].length));
    append(tail);
    return StringView(joined, total);
}

} // namespace v3::xml
