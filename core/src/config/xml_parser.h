// The XML parser behind Document::parse (internal to config/). One pass over
// a private copy of the input with an explicit stack of open elements, so
// nesting never grows the machine stack. Entity references and attribute
// normalization are decoded in place: the decoded form is never longer than
// its source, and nothing else points into that span.
#pragma once

#include "config/xml.h"
#include "lib/vector.h"

namespace v3::xml {

class Parser {
public:
    // `original` is the caller's text; positions in messages are computed on
    // it because the private copy in `document` is rewritten while decoding.
    Parser(Document& document, StringView original, ParseError& error)
        : document_(document), original_(original), error_(error) {}

    Result<void> run();

private:
    struct OpenElement {
        Element* element;
        Element* last_child;
        usize first_segment; // this element's character data: segments_[first_segment..]
    };
    struct Segment {
        const char* data;
        usize length;
    };
    struct Position {
        u32 line;
        u32 column;
    };

    Result<void> check_encoding();
    Result<void> parse_markup(bool in_root);
    Result<void> parse_start_tag();
    Result<void> parse_attribute(StringView element_name);
    Result<void> parse_end_tag();
    Result<void> parse_comment();
    Result<void> parse_cdata();
    Result<void> parse_processing_instruction();
    Result<void> parse_character_data();
    Result<void> skip_outside_root();
    Result<void> decode_reference(usize& write);
    Result<void> close_element();
    Result<StringView> join_text(usize first_segment);
    Result<StringView> scan_name(const char* what);

    bool at(StringView s) const;
    bool at_end() const { return pos_ >= length_; }
    char peek(usize ahead = 0) const { return pos_ + ahead < length_ ? text_[pos_ + ahead] : 0; }
    bool skip_whitespace();
    Position position_of(usize offset);
    Error fail(usize offset, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
    Error out_of_memory();

    Document& document_;
    StringView original_;
    ParseError& error_;
    char* text_ = nullptr;
    usize length_ = 0;
    usize pos_ = 0;
    usize content_start_ = 0; // after a byte-order mark, where <?xml ...?> may appear
    bool root_closed_ = false;

    Vector<OpenElement> open_;
    Vector<Segment> segments_;
    Vector<Attribute> attributes_; // the start tag being parsed

    // Positions are asked for in increasing order while parsing; remember
    // the last one so computing them stays linear overall.
    usize cached_offset_ = 0;
    Position cached_position_{1, 1};
};

} // namespace v3::xml
