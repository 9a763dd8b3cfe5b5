// The freestanding XML parser the kernel uses for guest configs: the tree it
// builds, decoding, every kind of malformed input (with the line and column
// a user would look at), the size/depth/count limits, and that a document
// frees everything it allocated, also when the host runs out of memory.
#include "counting_host.h"

#include <config/xml.h>

#include <QtTest>

using v3::StringView;
using v3::xml::Document;
using v3::xml::Element;
using v3::xml::ParseError;

namespace {

StringView view(const QByteArray& bytes) {
    return StringView(bytes.constData(), bytes.size());
}
QString qs(StringView s) {
    return QString::fromUtf8(s.data(), qsizetype(s.length()));
}

struct Parsed {
    v3::OwnPtr<Document> document;
    ParseError error;
    v3::Errno code = v3::Errno::Inval;
};

Parsed parse(const QByteArray& text) {
    Parsed parsed;
    auto result = Document::parse(view(text), parsed.error);
    if (result.is_error())
        parsed.code = result.error().code;
    else
        parsed.document = result.release_value();
    return parsed;
}

QString describe(const ParseError& e) {
    return QString("line %1, column %2: %3").arg(e.line).arg(e.column).arg(e.message);
}

} // namespace

class TestXml : public QObject {
    Q_OBJECT

private:
    CountingHost host_;

private slots:
    void cleanup() {
        // Every test's documents are gone by now: nothing may stay allocated.
        QCOMPARE(CountingHost::live(), 0L);
        CountingHost::fail_after(-1);
    }

    void buildsTheElementTree() {
        Parsed p = parse("<vm class=\"PC\">\n"
                         "  <devices>\n"
                         "    <device class='8259A' id=\"PIC\"/>\n"
                         "    <note/>\n"
                         "    <device class=\"SERIAL\" id='serial'>text</device>\n"
                         "  </devices>\n"
                         "</vm>\n");
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        const Element& vm = p.document->root();
        QCOMPARE(qs(vm.name()), QString("vm"));
        QVERIFY(vm.parent() == nullptr);
        QCOMPARE(vm.attribute_count(), size_t(1));
        QCOMPARE(qs(*vm.attribute("class")), QString("PC"));
        QVERIFY(vm.attribute("missing") == nullptr);
        QCOMPARE(vm.line(), 1u);
        QCOMPARE(vm.column(), 1u);

        const Element* devices = vm.first_child();
        QVERIFY(devices && devices == vm.child("devices"));
        QVERIFY(devices->parent() == &vm);
        QVERIFY(devices->next_sibling() == nullptr);
        QCOMPARE(devices->line(), 2u);
        QCOMPARE(devices->column(), 3u);
        QCOMPARE(devices->child_count("device"), size_t(2));
        QCOMPARE(devices->child_count(), size_t(3));
        QCOMPARE(devices->child_count("nothing"), size_t(0));

        const Element* pic = devices->first_child();
        QCOMPARE(qs(pic->name()), QString("device"));
        QCOMPARE(pic->attribute_count(), size_t(2));
        QCOMPARE(qs(pic->attribute_at(0).name), QString("class")); // document order
        QCOMPARE(qs(pic->attribute_at(0).value), QString("8259A"));
        QCOMPARE(qs(pic->attribute_at(1).name), QString("id"));
        QCOMPARE(qs(pic->attribute_at(1).value), QString("PIC"));
        QCOMPARE(pic->index_among_same_name(), size_t(1));
        QVERIFY(pic->first_child() == nullptr);
        QCOMPARE(qs(pic->text()), QString());
        QCOMPARE(pic->line(), 3u);
        QCOMPARE(pic->column(), 5u);

        const Element* note = pic->next_sibling();
        QCOMPARE(qs(note->name()), QString("note"));
        QCOMPARE(note->index_among_same_name(), size_t(1));
        const Element* serial = note->next_sibling();
        QCOMPARE(qs(*serial->attribute("id")), QString("serial"));
        QCOMPARE(serial->index_among_same_name(), size_t(2)); // device[2], past the <note>
        QCOMPARE(qs(serial->text()), QString("text"));
        QVERIFY(serial->next_sibling() == nullptr);
        QVERIFY(devices->child("device") == pic);
        QCOMPARE(vm.index_among_same_name(), size_t(1));
        QCOMPARE(p.document->element_count(), size_t(5));
    }

    void skipsDeclarationCommentsAndProcessingInstructions() {
        Parsed p = parse("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<!-- leading comment -->\n"
                         "<?app-hint keep going?>\n"
                         "<a><!-- inside -->x<?pi?>y</a>\n"
                         "<!-- trailing --> <?tail?>\n");
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        QCOMPARE(qs(p.document->root().name()), QString("a"));
        QCOMPARE(qs(p.document->root().text()), QString("xy"));
        QCOMPARE(p.document->root().line(), 4u);
        QVERIFY(p.document->root().first_child() == nullptr);
    }

    void textIsDecodedJoinedAndTrimmed() {
        Parsed p = parse("<a>\n"
                         "   one &lt;two&gt; &amp; &quot;three&quot; &apos;four&apos;  \n"
                         "</a>");
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        QCOMPARE(qs(p.document->root().text()), QString("one <two> & \"three\" 'four'"));

        // Character data around children is joined; the children keep their own.
        p = parse("<a>  left <b> inner </b> middle <!-- c --> right  </a>");
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        QCOMPARE(qs(p.document->root().text()), QString("left  middle  right"));
        QCOMPARE(qs(p.document->root().child("b")->text()), QString("inner"));

        // Whitespace-only data between children is no text at all.
        p = parse("<a>\n  <b/>\n  <c/>\n</a>");
        QVERIFY(p.document);
        QVERIFY(p.document->root().text().is_empty());
    }

    void cdataIsVerbatim() {
        Parsed p = parse("<a>x<![CDATA[ <b>&amp;</b> ]]>y<![CDATA[]]></a>");
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        QCOMPARE(qs(p.document->root().text()), QString("x <b>&amp;</b> y"));
        QVERIFY(p.document->root().first_child() == nullptr);
    }

    void numericReferencesBecomeUtf8() {
        Parsed p = parse("<a v=\"&#65;&#x42;&#xe9;\">&#8364;&#x1F600;&#x9;|</a>");
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        QCOMPARE(qs(*p.document->root().attribute("v")), QString::fromUtf8("AB\xC3\xA9"));
        QByteArray text(p.document->root().text().data(),
                        qsizetype(p.document->root().text().length()));
        QCOMPARE(text, QByteArray("\xE2\x82\xAC\xF0\x9F\x98\x80\t|"));
        p = parse("<a>&#x10FFFF;</a>"); // the last code point is allowed
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        QCOMPARE(p.document->root().text().length(), size_t(4));
    }

    void attributeValuesAreNormalized() {
        Parsed p = parse("<a v='x\ty\nz\r' q=\"it's\" s='say \"hi\"' e='&lt;&#10;'/>");
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        const Element& a = p.document->root();
        QCOMPARE(qs(*a.attribute("v")), QString("x y z ")); // XML attribute-value normalization
        QCOMPARE(qs(*a.attribute("q")), QString("it's"));
        QCOMPARE(qs(*a.attribute("s")), QString("say \"hi\""));
        QCOMPARE(qs(*a.attribute("e")), QString("<\n")); // a reference keeps its newline
        QCOMPARE(qs(p.document->root().name()), QString("a"));
    }

    void namesMayUseXmlNameCharacters() {
        Parsed p = parse("<ns:root-1 _a.b='1' x-y:z='2'><_c/><d.e-f/></ns:root-1>");
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        QCOMPARE(qs(p.document->root().name()), QString("ns:root-1"));
        QCOMPARE(qs(*p.document->root().attribute("x-y:z")), QString("2"));
        QVERIFY(p.document->root().child("d.e-f"));
    }

    void rejectsMalformedInput_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<uint>("line");
        QTest::addColumn<uint>("column");
        QTest::addColumn<QString>("message");

        auto row = [](const char* name, const QByteArray& text, uint line, uint column,
                      const char* message) {
            QTest::newRow(name) << text << line << column << QString(message);
        };
        // Structure.
        row("mismatched end tag", "<a>\n  <b></c>\n</a>", 2, 6,
            "end tag </c> does not match the start tag <b> at line 2, column 3");
        row("unclosed element", "<a>\n<b>\n", 3, 1,
            "the document ends inside <b> (opened at line 2, column 1)");
        row("end tag without start", "</a>", 1, 1, "end tag </a> has no matching start tag");
        row("end tag after root", "<a/></a>", 1, 5, "end tag </a> has no matching start tag");
        row("end tag not closed", "<a></a x>", 1, 8, "expected '>' to end the end tag </a>");
        row("start tag not closed", "<a x='1'", 1, 1, "start tag <a> is never closed with '>'");
        row("slash without >", "<a/ >", 1, 3, "expected '/>' to end the start tag <a>");
        row("text before root", "  hello <a/>", 1, 3,
            "text before the root element: the document must start with markup");
        row("text after root", "<a/>\n x", 2, 2,
            "text after the root element <a>: only comments may follow it");
        row("second root", "<a/>\n<b/>", 2, 1,
            "a second root element: the document already had its root <a>");
        row("entity outside root", "<a/>&amp;", 1, 5,
            "text after the root element <a>: only comments may follow it");
        // Names.
        row("bad element name", "<a><1b/></a>", 1, 5, "expected an element name, found '1'");
        row("space after <", "<a>< b/></a>", 1, 5, "expected an element name, found a space");
        row("bad end tag name", "<a></ a>", 1, 6, "expected an element name, found a space");
        row("bad attribute name", "<a -x='1'/>", 1, 4, "unexpected '-' in the start tag <a>");
        // Attributes.
        row("duplicate attribute", "<a x=\"1\" y=\"2\" x=\"3\"/>", 1, 16,
            "duplicate attribute 'x' in <a>");
        row("unterminated value", "<a x=\"abc", 1, 6,
            "the value of attribute 'x' has no closing quote");
        row("< in value", "<a x=\"1><b/></a>", 1, 9,
            "'<' is not allowed in the value of attribute 'x' (write &lt;; or is its closing "
            "quote missing?)");
        row("unquoted value", "<a x=1/>", 1, 6, "the value of attribute 'x' must be in quotes");
        row("missing =", "<a x/>", 1, 5,
            "attribute 'x' needs a value: expected '=' after its name");
        row("attributes run together", "<a x=\"1\"y=\"2\"/>", 1, 9,
            "attributes in <a> must be separated by whitespace");
        // References.
        row("stray & in text", "<a>fish & chips</a>", 1, 9,
            "stray '&': write &amp; for a literal '&' (references look like &lt;)");
        row("stray & in attribute", "<a x='a&b'/>", 1, 8,
            "stray '&': write &amp; for a literal '&' (references look like &lt;)");
        row("reference without ;", "<a>&lt</a>", 1, 4,
            "stray '&': write &amp; for a literal '&' (references look like &lt;)");
        row("unknown entity", "<a>&nbsp;</a>", 1, 4,
            "unknown entity &nbsp; (only &lt; &gt; &amp; &quot; &apos; and &#N; exist)");
        row("reference to NUL", "<a>&#0;</a>", 1, 4,
            "character reference &#0; is not a character XML allows");
        row("reference to control", "<a>&#x1B;</a>", 1, 4,
            "character reference &#x1B; is not a character XML allows");
        row("reference to surrogate", "<a>&#xD800;</a>", 1, 4,
            "character reference &#xD800; is not a character XML allows");
        row("reference to U+FFFE", "<a>&#65534;</a>", 1, 4,
            "character reference &#65534; is not a character XML allows");
        row("reference past U+10FFFF", "<a>&#x110000;</a>", 1, 4,
            "character reference &#x110000; is beyond U+10FFFF");
        row("huge decimal reference", "<a>&#99999999999999999999;</a>", 1, 4,
            "character reference &#99999999999999999999; is beyond U+10FFFF");
        row("reference wrapping 32 bits", "<a>&#4294967361;</a>", 1, 4, // 2^32 + 'A'
            "character reference &#4294967361; is beyond U+10FFFF");
        row("empty reference", "<a>&#;</a>", 1, 4,
            "malformed character reference: expected &#DIGITS; or &#xHEX;");
        row("empty hex reference", "<a>&#x;</a>", 1, 4,
            "malformed character reference: expected &#DIGITS; or &#xHEX;");
        row("bad digit in reference", "<a>&#12a;</a>", 1, 4,
            "malformed character reference: expected &#DIGITS; or &#xHEX;");
        row("uppercase X reference", "<a>&#X41;</a>", 1, 4,
            "malformed character reference: expected &#DIGITS; or &#xHEX;");
        // Comments, CDATA, declarations.
        row("unterminated comment", "<a/>\n<!-- never", 2, 1, "comment is never closed with '-->'");
        row("-- in comment", "<a><!-- a -- b --></a>", 1, 11,
            "'--' is not allowed inside a comment");
        row("comment ending --->", "<a><!-- a ---></a>", 1, 11,
            "'--' is not allowed inside a comment");
        row("unterminated CDATA", "<a><![CDATA[x</a>", 1, 4,
            "CDATA section is never closed with ']]>'");
        row("CDATA outside root", "<![CDATA[x]]><a/>", 1, 1,
            "CDATA section outside the root element");
        row("]]> in text", "<a>x]]>y</a>", 1, 5, "']]>' is not allowed in character data");
        row("DOCTYPE", "<?xml version='1.0'?>\n<!DOCTYPE vm SYSTEM 'vm.dtd'>\n<vm/>", 2, 1,
            "DOCTYPE declarations are not supported (this parser has no DTD support): remove the "
            "<!DOCTYPE ...> declaration");
        row("DOCTYPE inside", "<a><!DOCTYPE b></a>", 1, 4,
            "DOCTYPE declarations are not supported (this parser has no DTD support): remove the "
            "<!DOCTYPE ...> declaration");
        row("other <! markup", "<!ENTITY x 'y'><a/>", 1, 1,
            "unexpected '<!': only comments <!-- --> and CDATA sections <![CDATA[ ]]> start that "
            "way");
        row("late XML declaration", "\n<?xml version='1.0'?><a/>", 2, 1,
            "the XML declaration <?xml ...?> is only allowed at the very start of the document");
        row("XML declaration inside", "<a><?xml version='1.0'?></a>", 1, 4,
            "the XML declaration <?xml ...?> is only allowed at the very start of the document");
        row("unterminated PI", "<a/><?pi data", 1, 5, "<?pi is never closed with '?>'");
        row("PI without target", "<? x?><a/>", 1, 3,
            "expected a processing-instruction target name, found a space");
        // Documents and encoding.
        row("empty document", "", 1, 1, "the document is empty: expected a root element");
        row("whitespace only", "  \n ", 2, 2, "the document is empty: expected a root element");
        row("comments only", "<!-- x -->", 1, 11, "the document has no root element");
        row("control character", "<a>\x01</a>", 1, 4,
            "control character 0x01 is not allowed in an XML document");
        row("NUL byte", QByteArray("<a>\0</a>", 8), 1, 4,
            "control character 0x00 is not allowed in an XML document");
        row("invalid UTF-8", "<a>\xff</a>", 1, 4,
            "invalid UTF-8 at byte 0xff (the document must be UTF-8 text)");
        row("overlong UTF-8", "<a>\xc0\xaf</a>", 1, 4,
            "invalid UTF-8 at byte 0xc0 (the document must be UTF-8 text)");
        row("truncated UTF-8", "<a>\xe2\x82</a>", 1, 4,
            "invalid UTF-8 at byte 0xe2 (the document must be UTF-8 text)");
        row("UTF-8 surrogate", "<a>\xed\xa0\x80</a>", 1, 4,
            "invalid UTF-8 at byte 0xed (the document must be UTF-8 text)");
        row("U+FFFF in UTF-8", "<a>\xef\xbf\xbf</a>", 1, 4,
            "character U+FFFF is not allowed in an XML document");
        row("CRLF line ends", "<a>\r\n <b></c>", 2, 5,
            "end tag </c> does not match the start tag <b> at line 2, column 2");
        // Columns count characters, not bytes.
        row("column after UTF-8", "<a>\xc3\xa9\xe2\x82\xac</b>", 1, 6,
            "end tag </b> does not match the start tag <a> at line 1, column 1");
    }

    void rejectsMalformedInput() {
        QFETCH(QByteArray, text);
        QFETCH(uint, line);
        QFETCH(uint, column);
        QFETCH(QString, message);
        Parsed p = parse(text);
        QVERIFY2(!p.document, "the malformed document was accepted");
        QCOMPARE(p.code, v3::Errno::Inval);
        QCOMPARE(QString(p.error.message), message);
        QCOMPARE(p.error.line, line);
        QCOMPARE(p.error.column, column);
    }

    void depthIsLimitedTo32() {
        QByteArray ok = QByteArray("<e>").repeated(32) + QByteArray("</e>").repeated(32);
        Parsed p = parse(ok);
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        const Element* deepest = &p.document->root();
        int depth = 1;
        while (deepest->first_child()) {
            deepest = deepest->first_child();
            ++depth;
        }
        QCOMPARE(depth, 32);

        QByteArray deep = QByteArray("<e>").repeated(33) + QByteArray("</e>").repeated(33);
        p = parse(deep);
        QVERIFY(!p.document);
        QCOMPARE(QString(p.error.message), QString("elements are nested more than 32 levels deep"));
        QCOMPARE(p.error.line, 1u);
        QCOMPARE(p.error.column, 32u * 3 + 1); // the 33rd start tag

        // A hostile nesting depth fails the same way, without exhausting any stack.
        QByteArray hostile = QByteArray("<e>\n").repeated(100000);
        p = parse(hostile);
        QVERIFY(!p.document);
        QCOMPARE(p.error.line, 33u);
    }

    void attributesAreLimitedTo64() {
        QByteArray tag = "<a";
        for (int i = 0; i < 64; ++i)
            tag += QByteArray(" a") + QByteArray::number(i) + "='" + QByteArray::number(i) + "'";
        Parsed p = parse(tag + "/>");
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        QCOMPARE(p.document->root().attribute_count(), size_t(64));
        QCOMPARE(qs(*p.document->root().attribute("a63")), QString("63"));

        QByteArray extra = tag + " last='x'/>";
        p = parse(extra);
        QVERIFY(!p.document);
        QCOMPARE(QString(p.error.message), QString("<a> has more than 64 attributes"));
        QCOMPARE(p.error.column, uint(tag.size() + 2)); // at the 65th name
    }

    void elementCountIsLimitedTo65536() {
        QByteArray body = QByteArray("<d/>").repeated(65535);
        Parsed p = parse("<r>" + body + "</r>");
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        QCOMPARE(p.document->element_count(), size_t(65536));
        QCOMPARE(p.document->root().child_count("d"), size_t(65535));
        p = parse("<r>" + body + "<d/></r>");
        QVERIFY(!p.document);
        QCOMPARE(QString(p.error.message), QString("the document has more than 65536 elements"));
        QCOMPARE(p.error.column, uint(3 + body.size() + 1));
    }

    void aOneMebibyteDocumentParses() {
        // Real content (elements, attributes, references, comments) up to
        // exactly the limit.
        QByteArray doc = "<?xml version=\"1.0\"?>\n<vm class=\"PC\">\n";
        int devices = 0;
        const QByteArray end = "</vm>\n";
        for (;;) {
            QByteArray line = "  <device class=\"SERIAL\" id=\"d" + QByteArray::number(devices) +
                              "\">a &amp; b<!-- n --></device>\n";
            if (doc.size() + line.size() + end.size() > int(v3::xml::kMaxInputBytes))
                break;
            doc += line;
            ++devices;
        }
        doc += QByteArray(int(v3::xml::kMaxInputBytes) - doc.size() - end.size(), ' ');
        doc += end;
        QCOMPARE(doc.size(), qsizetype(1024 * 1024));
        Parsed p = parse(doc);
        QVERIFY2(p.document, qPrintable(describe(p.error)));
        QCOMPARE(p.document->root().child_count("device"), size_t(devices));
        QVERIFY(devices > 10000);
        const Element* last = p.document->root().first_child();
        while (last->next_sibling())
            last = last->next_sibling();
        QCOMPARE(qs(*last->attribute("id")), QString("d%1").arg(devices - 1));
        QCOMPARE(qs(last->text()), QString("a & b"));
        QCOMPARE(last->line(), uint(devices + 2));
    }

    void largerDocumentsAreRefused() {
        QByteArray doc = "<r>" + QByteArray(int(v3::xml::kMaxInputBytes) - 7, ' ') + "</r>";
        QCOMPARE(doc.size(), qsizetype(v3::xml::kMaxInputBytes));
        QVERIFY(parse(doc).document);
        doc.insert(3, ' ');
        Parsed p = parse(doc);
        QVERIFY(!p.document);
        QCOMPARE(QString(p.error.message),
                 QString("the document is 1048577 bytes, over the limit of 1048576 bytes (1 MiB)"));
    }

    void documentOwnsItsText() {
        QByteArray text = "<a x='&amp;1'>t&lt;<b>u</b>v</a>";
        Parsed p = parse(text);
        QVERIFY(p.document);
        text.fill('#'); // the caller's buffer is gone; the tree must not point into it
        text.clear();
        text.squeeze();
        const Element& a = p.document->root();
        QCOMPARE(qs(a.name()), QString("a"));
        QCOMPARE(qs(*a.attribute("x")), QString("&1"));
        QCOMPARE(qs(a.text()), QString("t<v"));
        QCOMPARE(qs(a.child("b")->text()), QString("u"));
    }

    void documentFreesEverything() {
        QByteArray text = "<a x='&lt;'>t<b>u</b>v<![CDATA[w]]><c/></a>";
        {
            Parsed p = parse(text);
            QVERIFY(p.document);
            QVERIFY(CountingHost::live() > 0);
        }
        QCOMPARE(CountingHost::live(), 0L);
        {
            Parsed p = parse("<a><b></a>");
            QVERIFY(!p.document);
        }
        QCOMPARE(CountingHost::live(), 0L);
    }

    void runningOutOfMemoryIsReportedAndLeaksNothing() {
        QByteArray text =
            "<vm class='PC'>a<b>c</b>d" + QByteArray("<device id='x'/>").repeated(3000) + "</vm>";
        bool succeeded = false;
        int failures = 0;
        for (long budget = 0; budget < 1000 && !succeeded; ++budget) {
            CountingHost::fail_after(budget);
            {
                Parsed p = parse(text);
                if (p.document) {
                    succeeded = true;
                    QCOMPARE(p.document->root().child_count("device"), size_t(3000));
                    QCOMPARE(qs(p.document->root().text()), QString("ad"));
                } else {
                    ++failures;
                    QCOMPARE(p.code, v3::Errno::NoMem);
                    QVERIFY(QString(p.error.message).contains("out of memory"));
                }
            }
            QCOMPARE(CountingHost::live(), 0L);
        }
        QVERIFY(succeeded);
        QVERIFY(failures > 3); // the document, its text copy, the tree chunks...
    }
};

QTEST_APPLESS_MAIN(TestXml)
#include "tst_xml.moc"
