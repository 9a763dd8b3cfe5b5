// A small, bounded XML parser for guest configurations. It runs inside the
// kernel, so it is iterative (no recursion over nesting), refuses oversized or
// over-deep input with a clear message, and keeps the whole tree in memory
// owned by one Document. Supported: elements, attributes, character data,
// comments, CDATA, processing instructions (skipped, including the XML
// declaration), the five predefined entities and numeric character
// references. DTDs are not supported and are rejected.
#pragma once

#include "config/arena.h"
#include "lib/alloc.h"
#include "lib/result.h"
#include "lib/string_view.h"
#include "lib/types.h"

namespace v3::xml {

inline constexpr usize kMaxDepth = 32;
inline constexpr usize kMaxAttributesPerElement = 64;
inline constexpr usize kMaxInputBytes = 1024 * 1024;
inline constexpr usize kMaxElements = 65536;

// `value` has its entities decoded and its tabs/newlines normalized to spaces
// (XML attribute-value normalization). Storage is owned by the Document.
struct Attribute {
    StringView name;
    StringView value;
};

class Element {
public:
    StringView name() const { return name_; }
    const Element* parent() const { return parent_; } // nullptr for the root

    usize attribute_count() const { return attribute_count_; }
    const Attribute& attribute_at(usize i) const { return attributes_[i]; }
    const StringView* attribute(StringView name) const; // nullptr if absent

    // The decoded character data directly inside this element (CDATA
    // included, children's text excluded), joined and trimmed of surrounding
    // whitespace.
    StringView text() const { return text_; }

    const Element* first_child() const { return first_child_; } // first child element
    const Element* next_sibling() const { return next_sibling_; }
    const Element* child(StringView name) const; // first child element named `name`
    usize child_count(StringView name) const;    // child elements named `name`
    usize child_count() const;                   // all child elements
    usize index_among_same_name() const;         // 1-based, for paths like device[3]

    // Where the start tag begins (1-based; columns count characters).
    u32 line() const { return line_; }
    u32 column() const { return column_; }

private:
    friend class Parser;

    StringView name_;
    StringView text_;
    Element* parent_ = nullptr;
    Element* first_child_ = nullptr;
    Element* next_sibling_ = nullptr;
    const Attribute* attributes_ = nullptr;
    u32 attribute_count_ = 0;
    u32 line_ = 0;
    u32 column_ = 0;
};

struct ParseError {
    u32 line = 0;   // 1-based
    u32 column = 0; // 1-based, in characters
    char message[160] = {};
};

class Document {
public:
    // On failure the Result holds Errno::Inval (Errno::NoMem when the host
    // ran out of memory) and `error` says what is wrong and where.
    static Result<OwnPtr<Document>> parse(StringView text, ParseError& error);

    const Element& root() const { return *root_; }
    usize element_count() const { return element_count_; }

    Document(const Document&) = delete;
    Document& operator=(const Document&) = delete;
    ~Document();

private:
    friend class Parser;
    Document() = default;

    char* text_ = nullptr; // a private copy of the input; names and values point into it
    usize length_ = 0;
    Arena arena_;
    Element* root_ = nullptr;
    usize element_count_ = 0;
};

} // namespace v3::xml
