#include "config/xml.h"

#include "config/xml_parser.h"
#include "lib/format.h"

namespace v3::xml {

const StringView* Element::attribute(StringView name) const {
    for (usize i = 0; i < attribute_count_; ++i)
        if (attributes_[i].name == name)
            return &attributes_[i].value;
    return nullptr;
}

const Element* Element::child(StringView name) const {
    for (const Element* c = first_child_; c; c = c->next_sibling_)
        if (c->name_ == name)
            return c;
    return nullptr;
}

usize Element::child_count(StringView name) const {
    usize n = 0;
    for (const Element* c = first_child_; c; c = c->next_sibling_)
        if (c->name_ == name)
            ++n;
    return n;
}

usize Element::child_count() const {
    usize n = 0;
    for (const Element* c = first_child_; c; c = c->next_sibling_)
        ++n;
    return n;
}

usize Element::index_among_same_name() const {
    if (!parent_)
        return 1;
    usize index = 1;
    for (const Element* c = parent_->first_child_; c && c != this; c = c->next_sibling_)
        if (c->name_ == name_)
            ++index;
    return index;
}

Result<OwnPtr<Document>> Document::parse(StringView text, ParseError& error) {
    error = ParseError{};
    void* storage = allocate(sizeof(Document));
    if (!storage) {
        format(error.message, sizeof error.message, "out of memory for the XML document");
        return make_error(Errno::NoMem, "out of memory");
    }
    OwnPtr<Document> document(new (storage) Document());
    Parser parser(*document, text, error);
    TRY(parser.run());
    return document;
}

Document::~Document() {
    deallocate(text_);
}

} // namespace v3::xml
