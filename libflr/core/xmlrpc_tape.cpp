// Reading a plain methodResponse in one pass, into a tape, and the View over it.
//
// Koji's big multicall answers (10 MB of listRPMs for an image) are written by Python's
// marshaller in one plain form. Reading that form directly is several times faster than
// building pugixml's DOM and walking it, and needs a fraction of its memory. Anything
// outside the form is left to the general parser (Response falls back to pugixml), and the
// xmlrpc fuzz target holds the two to the same answers and the same refusals.
#include "core/xmlrpc_tape.hpp"

#include <fmt/format.h>

#include <cstring>
#include <limits>

namespace flr::xmlrpc {
namespace detail {
namespace {

struct Decline {};

[[noreturn]] void decline() {
    throw Decline{};
}

bool space(char c) {
    return c == ' ' || c == '\n' || c == '\t';
}

// What stops a run of text: '<', '&', and what the form leaves out ('\r', '\0').
struct TextStops {
    bool stop[256] = {};
    constexpr TextStops() {
        stop[static_cast<unsigned char>('<')] = true;
        stop[static_cast<unsigned char>('&')] = true;
        stop[static_cast<unsigned char>('\r')] = true;
        stop[0] = true;
    }
};
constexpr TextStops text_stops;

class Scanner {
public:
    Scanner(std::string_view xml, Tape& tape) : p_(xml.data()), end_(xml.data() + xml.size()), tape_(tape) {}

    void document() {
        // The declaration, only at the very start, as servers write it.
        if (take("<?xml ")) {
            while (p_ < end_ && *p_ != '?' && *p_ != '<' && *p_ != '>' && *p_ != '\r' && *p_ != 0) {
                ++p_;
            }
            want("?>");
        }
        skip_space();
        want("<methodResponse>");
        skip_space();
        if (take("<fault>")) {
            tape_.fault = true;
            skip_space();
            value(0);
            skip_space();
            want("</fault>");
        } else {
            want("<params>");
            skip_space();
            want("<param>");
            skip_space();
            value(0);
            skip_space();
            want("</param>");
            skip_space();
            want("</params>");
        }
        skip_space();
        want("</methodResponse>");
        skip_space();
        if (p_ != end_) {
            decline();
        }
    }

private:
    template <std::size_t N>
    bool at(const char (&literal)[N]) const {
        return static_cast<std::size_t>(end_ - p_) >= N - 1 && std::memcmp(p_, literal, N - 1) == 0;
    }
    template <std::size_t N>
    bool take(const char (&literal)[N]) {
        if (!at(literal)) {
            return false;
        }
        p_ += N - 1;
        return true;
    }
    template <std::size_t N>
    void want(const char (&literal)[N]) {
        if (!take(literal)) {
            decline();
        }
    }
    void skip_space() {
        while (p_ < end_ && space(*p_)) {
            ++p_;
        }
    }

    // The text up to the next '<', as the general parser gives it: the five named entities
    // decoded, and nothing when it is only whitespace. `raw_space` says whether it was.
    std::string_view text(bool* raw_space = nullptr) {
        const char* from = p_;
        while (p_ < end_ && !text_stops.stop[static_cast<unsigned char>(*p_)]) {
            ++p_;
        }
        if (p_ < end_ && *p_ == '&') {
            return entity_text(from, raw_space);
        }
        if (p_ == end_ || *p_ != '<') {
            decline();
        }
        std::string_view raw(from, static_cast<std::size_t>(p_ - from));
        bool blank = true;
        for (char c : raw) {
            if (!space(c)) {
                blank = false;
                break;
            }
        }
        if (raw_space) {
            *raw_space = blank;
        }
        return blank ? std::string_view() : raw;
    }

    std::string_view entity_text(const char* from, bool* raw_space) {
        std::string& out = tape_.owned.emplace_back(from, static_cast<std::size_t>(p_ - from));
        while (true) {
            if (p_ == end_ || *p_ == '\r' || *p_ == 0) {
                decline();
            }
            if (*p_ == '<') {
                break;
            }
            if (*p_ != '&') {
                out.push_back(*p_++);
                continue;
            }
            static constexpr std::pair<std::string_view, char> entities[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
            std::string_view rest(p_, static_cast<std::size_t>(end_ - p_));
            bool known = false;
            for (const auto& [name, c] : entities) {
                if (rest.starts_with(name)) {
                    out.push_back(c);
                    p_ += name.size();
                    known = true;
                    break;
                }
            }
            if (!known) {
                decline();  // a character reference, or an '&' the general parser keeps
            }
        }
        if (raw_space) {
            *raw_space = false;  // an entity is never whitespace
        }
        return out;
    }

    std::size_t add(View::Kind kind) {
        tape_.entries.emplace_back(kind);
        return tape_.entries.size() - 1;
    }
    void set_text(std::size_t at, std::string_view s) {
        tape_.entries[at].text = s.data();
        tape_.entries[at].len = static_cast<std::uint32_t>(s.size());
    }
    void close(std::size_t at) {
        std::size_t size = tape_.entries.size() - at;
        if (size > Entry::max_size) {
            decline();  // a container of 16 million values: for the general parser
        }
        tape_.entries[at].size = static_cast<std::uint32_t>(size);
    }

    // A scalar's text and its closing tag.
    template <std::size_t N>
    std::string_view scalar(const char (&closing)[N]) {
        auto s = text();
        want(closing);
        return s;
    }

    void value(int depth) {
        if (depth > max_depth) {
            decline();
        }
        if (take("<value/>")) {
            add(View::Kind::string);
            return;
        }
        want("<value>");
        bool blank = false;
        auto untyped = text(&blank);
        if (take("</value>")) {
            set_text(add(View::Kind::string), untyped);
            return;
        }
        if (!blank) {
            decline();  // text beside a typed element
        }
        typed(depth);
        skip_space();
        want("</value>");
    }

    void typed(int depth) {
        using Kind = View::Kind;
        if (p_ + 1 >= end_) {
            decline();
        }
        try {
            switch (p_[1]) {
                case 's':
                    if (take("<string>")) {
                        set_text(add(Kind::string), scalar("</string>"));
                    } else if (take("<string/>")) {
                        add(Kind::string);
                    } else if (take("<struct>")) {
                        structure(depth);
                    } else if (take("<struct/>")) {
                        add(Kind::structure);
                    } else {
                        decline();
                    }
                    return;
                case 'i':
                    if (take("<int>")) {
                        integer(scalar("</int>"), false);
                    } else if (take("<i4>")) {
                        integer(scalar("</i4>"), false);
                    } else if (take("<i8>")) {
                        integer(scalar("</i8>"), true);
                    } else {
                        decline();
                    }
                    return;
                case 'n':
                    if (!take("<nil/>") && !take("<nil></nil>")) {
                        decline();
                    }
                    add(Kind::nil);
                    return;
                case 'b':
                    if (take("<boolean>")) {
                        auto t = trim(scalar("</boolean>"));
                        if (t != "0" && t != "1") {
                            decline();
                        }
                        tape_.entries[add(Kind::boolean)].boolean = t == "1";
                    } else if (take("<base64>")) {
                        const auto& bytes = tape_.owned.emplace_back(base64_decode(scalar("</base64>")));
                        set_text(add(Kind::binary), bytes);
                    } else {
                        decline();
                    }
                    return;
                case 'd':
                    if (take("<double>")) {
                        tape_.entries[add(Kind::real)].real = parse_double(scalar("</double>"));
                    } else if (take("<dateTime.iso8601>")) {
                        set_text(add(Kind::datetime), trim(scalar("</dateTime.iso8601>")));
                    } else {
                        decline();
                    }
                    return;
                case 'a':
                    want("<array>");
                    skip_space();
                    array(depth);
                    skip_space();
                    want("</array>");
                    return;
                default:
                    decline();
            }
        } catch (const ParseError&) {
            decline();  // bad text: the general parser says what is wrong
        }
    }

    void integer(std::string_view text, bool i8) {
        tape_.entries[add(View::Kind::integer)].integer = parse_int(text, i8 ? "i8" : "int");
    }

    void structure(int depth) {
        auto at = add(View::Kind::structure);
        skip_space();
        while (take("<member>")) {
            skip_space();
            want("<name>");
            set_text(add(View::Kind::string), scalar("</name>"));
            skip_space();
            value(depth + 1);
            skip_space();
            want("</member>");
            skip_space();
        }
        want("</struct>");
        close(at);
    }

    void array(int depth) {
        auto at = add(View::Kind::array);
        if (!take("<data/>")) {
            want("<data>");
            skip_space();
            while (at_value()) {
                value(depth + 1);
                skip_space();
            }
            want("</data>");
        }
        close(at);
    }
    bool at_value() const { return at("<value>") || at("<value/>"); }

    const char* p_;
    const char* end_;
    Tape& tape_;
};

}  // namespace

std::optional<Tape> scan(std::string_view xml) {
    if (xml.size() >= std::numeric_limits<std::uint32_t>::max()) {
        return std::nullopt;
    }
    Tape tape;
    tape.entries.reserve(xml.size() / 16);
    try {
        Scanner(xml, tape).document();
    } catch (const Decline&) {
        return std::nullopt;
    }
    return tape;
}

Value to_value(const Entry& e) {
    using Kind = View::Kind;
    switch (e.kind()) {
        case Kind::nil:
            return Nil{};
        case Kind::boolean:
            return e.boolean;
        case Kind::integer:
            return e.integer;
        case Kind::real:
            return e.real;
        case Kind::string:
            return std::string(e.string());
        case Kind::datetime:
            return DateTime{std::string(e.string())};
        case Kind::binary:
            return Binary{std::string(e.string())};
        case Kind::array: {
            Array out;
            for (const Entry* c = &e + 1; c < &e + e.size; c += c->size) {
                out.push_back(to_value(*c));
            }
            return out;
        }
        case Kind::structure: {
            Struct out;
            for (const Entry* c = &e + 1; c < &e + e.size; c += 1 + c[1].size) {
                out.insert_or_assign(std::string(c->string()), to_value(c[1]));
            }
            return out;
        }
    }
    return Nil{};
}

}  // namespace detail

// ---- View

namespace {
const detail::Entry& entry(const void* p) {
    return *static_cast<const detail::Entry*>(p);
}

void expect(const View& v, View::Kind kind, const char* want) {
    if (v.kind() != kind) {
        throw Mismatch(fmt::format("expected {}, got {}", want, v.type_name()));
    }
}
}  // namespace

View::View(const void* at) : entry_(at), kind_(entry(at).kind()) {}

const char* View::type_name() const noexcept {
    static constexpr const char* names[] = {"nil",      "boolean", "int",   "double", "string",
                                            "dateTime", "base64",  "array", "struct"};
    return names[static_cast<int>(kind_)];
}

std::int64_t View::as_int() const {
    expect(*this, Kind::integer, "int");
    return entry(entry_).integer;
}

std::string_view View::as_string() const {
    expect(*this, Kind::string, "string");
    return entry(entry_).string();
}

void View::members(const std::function<void(std::string_view, const View&)>& f) const {
    expect(*this, Kind::structure, "struct");
    const auto& e = entry(entry_);
    for (const detail::Entry* c = &e + 1; c < &e + e.size; c += 1 + c[1].size) {
        f(c->string(), View(c + 1));
    }
}

void View::elements(const std::function<void(const View&)>& f) const {
    expect(*this, Kind::array, "array");
    const auto& e = entry(entry_);
    for (const detail::Entry* c = &e + 1; c < &e + e.size; c += c->size) {
        f(View(c));
    }
}

}  // namespace flr::xmlrpc
