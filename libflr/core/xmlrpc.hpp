// Private: XML-RPC values, calls and responses (https://xmlrpc.com/spec.md) with the
// common extensions: <nil/>, <i8>, and Python's keyword arguments passed as a trailing
// struct marked "__starstar" (Koji). Parsing uses pugixml, but for the one-pass reading of
// the plain form servers write (Response, core/xmlrpc_tape); nothing is scraped.
#pragma once

#include <flr/error.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace flr::xmlrpc {

class Value;
using Array = std::vector<Value>;
using Struct = std::map<std::string, Value>;

struct Nil {
    bool operator==(const Nil&) const = default;
};
// The text of a <dateTime.iso8601>, e.g. "20240301T10:00:00".
struct DateTime {
    std::string text;
    bool operator==(const DateTime&) const = default;
};
// Decoded bytes of a <base64>.
struct Binary {
    std::string bytes;
    bool operator==(const Binary&) const = default;
};

class Value {
public:
    using Variant = std::variant<Nil, bool, std::int64_t, double, std::string, DateTime, Binary, Array, Struct>;

    Value() = default;
    Value(Nil) {}
    Value(bool b) : v_(b) {}
    Value(int i) : v_(std::int64_t{i}) {}
    Value(long i) : v_(std::int64_t{i}) {}
    Value(long long i) : v_(static_cast<std::int64_t>(i)) {}
    Value(double d) : v_(d) {}
    Value(const char* s) : v_(std::string(s)) {}
    Value(std::string s) : v_(std::move(s)) {}
    Value(DateTime d) : v_(std::move(d)) {}
    Value(Binary b) : v_(std::move(b)) {}
    Value(Array a) : v_(std::move(a)) {}
    Value(Struct s) : v_(std::move(s)) {}

    const Variant& variant() const noexcept { return v_; }
    bool is_nil() const noexcept { return std::holds_alternative<Nil>(v_); }
    template <class T>
    bool is() const noexcept {
        return std::holds_alternative<T>(v_);
    }

    // Checked accessors: throw RemoteError("koji", ...) style errors via Mismatch.
    bool as_bool() const;
    std::int64_t as_int() const;
    double as_double() const;
    const std::string& as_string() const;
    const Array& as_array() const;
    const Struct& as_struct() const;

    // Struct member lookup: nullptr when absent (or when this is not a struct).
    const Value* find(const std::string& key) const;
    // Member or a nil Value when absent.
    const Value& operator[](const std::string& key) const;

    // "struct", "int", ... for error messages.
    const char* type_name() const noexcept;

    bool operator==(const Value&) const = default;

private:
    Variant v_;
};

// A value of an unexpected type or shape in an answer.
class Mismatch : public Error {
public:
    explicit Mismatch(const std::string& message) : Error(message) {}
};

// A <fault>: faultCode and faultString as the server sent them.
struct Fault {
    std::int64_t code = 0;
    std::string message;
};

// Positional arguments plus keyword arguments (sent as the trailing "__starstar" struct).
struct Call {
    std::string method;
    Array params;
    Struct kwargs;
};

// Malformed XML-RPC (not XML, wrong elements, bad numbers).
class ParseError : public Error {
public:
    explicit ParseError(const std::string& message) : Error(message) {}
};

std::string encode_call(const Call& call);
std::string encode_response(const Value& value);
std::string encode_fault(const Fault& fault);

// A methodResponse: either its value or the fault. Throws ParseError on bad input.
std::variant<Value, Fault> decode_response(std::string_view xml);
// A methodCall (for tests and stand-ins); kwargs are split back out of "__starstar".
Call decode_call(std::string_view xml);

// The params of a multicall ({methodName, params} structs) and the splitting of its
// answer: each element is [value] or a fault struct.
Value multicall_params(const std::vector<Call>& calls);
std::vector<std::variant<Value, Fault>> split_multicall(const Value& answer);

// Limits that keep hostile input from exhausting the stack.
inline constexpr int max_depth = 64;

// Reading a big answer in place, without a Value tree. A View is a value of an answer
// that Response read whole in its plain form (every value already checked as
// decode_response checks it); the same type errors as Value (Mismatch), but nothing is
// copied until asked for. Views live only inside the read callback.
class View {
public:
    enum class Kind { nil, boolean, integer, real, string, datetime, binary, array, structure };

    Kind kind() const noexcept { return kind_; }
    bool is_nil() const noexcept { return kind_ == Kind::nil; }
    const char* type_name() const noexcept;

    std::int64_t as_int() const;
    std::string_view as_string() const;  // a <string> or an untyped value
    // Each member of a struct, in document order: f(name, value).
    void members(const std::function<void(std::string_view, const View&)>& f) const;
    // Each element of an array, in order.
    void elements(const std::function<void(const View&)>& f) const;

private:
    friend struct ViewAccess;
    explicit View(const void* entry);
    const void* entry_ = nullptr;  // its entry in the answer's tape
    Kind kind_ = Kind::string;
};

// A methodResponse held in the buffer it owns (a big answer is not copied): read through a
// View, or decoded as decode_response decodes it. An answer in the plain form servers write
// is read in one pass; any other is parsed by pugixml, in place. Throws ParseError when the
// text is not XML or not a methodResponse, as decode_response does.
class Response {
public:
    explicit Response(std::string xml);
    ~Response();
    Response(Response&&) noexcept;
    Response& operator=(Response&&) noexcept;

    // Hand the answer's value to `f`. False, and `f` not called, for a fault, and for an
    // answer not in the plain form: decode() gives what those hold, or what is wrong.
    bool read(const std::function<void(const View&)>& f) const;
    // What decode_response gives for the same text.
    std::variant<Value, Fault> decode() const;

private:
    struct Document;
    std::unique_ptr<Document> doc_;
};

}  // namespace flr::xmlrpc
