// Private to core/xmlrpc*.cpp: the scalar readers both decoders share, and the tape that
// Response reads a plain answer into.
#pragma once

#include "core/xmlrpc.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flr::xmlrpc::detail {

// The text of each scalar type as decode_response reads it: ParseError when it is bad.
std::string_view trim(std::string_view s);
std::int64_t parse_int(std::string_view text, const char* type);  // type "int" or "i8"
double parse_double(std::string_view text);
std::string base64_decode(std::string_view in);

// A <fault>'s value as decode_response reads it.
Fault fault_from(const Value& v);

// One <value>, or one member's <name>, of an answer; a container is followed by what it
// holds (a struct by name, value, name, value...; an array by its values), so `size`
// counts this entry and everything inside it. 16 bytes: the tape of Koji's answers takes
// about half the memory of their text.
struct Entry {
    static constexpr std::uint32_t max_size = (1U << 24U) - 1;

    std::uint32_t kind_bits : 8;  // a View::Kind
    std::uint32_t size : 24;
    std::uint32_t len;  // of the text
    union {
        const char* text;  // string, dateTime (trimmed), base64 (decoded), a name
        std::int64_t integer;
        double real;
        bool boolean;
    };

    explicit Entry(View::Kind k) : kind_bits(static_cast<std::uint32_t>(k)), size(1), len(0), text(nullptr) {}
    View::Kind kind() const { return static_cast<View::Kind>(kind_bits); }
    std::string_view string() const { return {text, len}; }
};

static_assert(sizeof(Entry) == 16);

struct Tape {
    std::vector<Entry> entries;     // entries[0]: the answer's value
    std::deque<std::string> owned;  // texts that differ from the buffer's (entities, base64)
    bool fault = false;             // a <fault> (its struct is entries[0])
};

// The tape of a methodResponse written in the plain form servers write (Python's
// xmlrpc.client, Koji, flr itself): elements without attributes, nothing but whitespace
// between them, no comments, CDATA, DOCTYPE or character references, no carriage returns.
// nullopt for anything else, and for anything decode_response refuses: such a text is
// for the general parser, which gives the same answer or the same error.
std::optional<Tape> scan(std::string_view xml);

// The value at `entry` as decode_response would give it.
Value to_value(const Entry& entry);

}  // namespace flr::xmlrpc::detail
