#include "core/xmlrpc.hpp"
#include "core/xmlrpc_tape.hpp"

#include <fmt/format.h>
#include <pugixml.hpp>

#include <charconv>
#include <cstring>
#include <optional>
#include <sstream>

namespace flr::xmlrpc {
namespace {

constexpr std::string_view b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view in) {
    std::string out;
    unsigned value = 0;
    int bits = -6;
    for (unsigned char c : in) {
        value = (value << 8U) + c;
        bits += 8;
        while (bits >= 0) {
            out.push_back(b64chars[(value >> static_cast<unsigned>(bits)) & 0x3FU]);
            bits -= 6;
        }
    }
    if (bits > -6) {
        out.push_back(b64chars[((value << 8U) >> static_cast<unsigned>(bits + 8)) & 0x3FU]);
    }
    while (out.size() % 4) {
        out.push_back('=');
    }
    return out;
}

// An element's name against a literal, inline. Stops at the first difference, so never
// reads past the name's end.
template <std::size_t N>
bool named(const char* name, const char (&want)[N]) {
    for (std::size_t i = 0; i < N; ++i) {
        if (name[i] != want[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace

namespace detail {

std::string base64_decode(std::string_view in) {
    std::string out;
    unsigned value = 0;
    int bits = -8;
    bool padding = false;
    for (char c : in) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            continue;
        }
        if (c == '=') {
            padding = true;
            continue;
        }
        auto pos = b64chars.find(c);
        if (pos == std::string_view::npos || padding) {
            throw ParseError("invalid base64 in <base64>");
        }
        value = ((value << 6U) + static_cast<unsigned>(pos)) & 0xFFFFFFU;
        bits += 6;
        if (bits >= 0) {
            out.push_back(static_cast<char>((value >> static_cast<unsigned>(bits)) & 0xFFU));
            bits -= 8;
        }
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::strchr(" \t\r\n", s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::strchr(" \t\r\n", s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

std::int64_t parse_int(std::string_view text, const char* type) {
    text = trim(text);
    if (text.starts_with('+')) {
        text.remove_prefix(1);
    }
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        throw ParseError(fmt::format("invalid <{}>: \"{}\"", type, text.substr(0, 40)));
    }
    if (std::strcmp(type, "i8") != 0 && (v > INT32_MAX || v < INT32_MIN)) {
        throw ParseError(fmt::format("<{}> out of range: {}", type, v));
    }
    return v;
}

namespace {

// A plain decimal ("-12.5", "1e9"): what every stream accepts, read by from_chars.
std::optional<double> plain_double(std::string_view s) {
    std::size_t i = s.starts_with('-') ? 1 : 0;
    auto digits = [&] {
        std::size_t from = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            ++i;
        }
        return i > from;
    };
    if (!digits()) {
        return std::nullopt;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        digits();
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
            ++i;
        }
        if (!digits()) {
            return std::nullopt;
        }
    }
    double d = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (i != s.size() || ec != std::errc() || end != s.data() + s.size()) {
        return std::nullopt;
    }
    return d;
}

}  // namespace

double parse_double(std::string_view text) {
    if (auto d = plain_double(trim(text))) {
        return *d;  // the common case, without a stream
    }
    std::string s(trim(text));
    std::istringstream in(s);
    in.imbue(std::locale::classic());
    double d = 0;
    in >> d;
    if (s.empty() || in.fail() || !in.eof()) {
        throw ParseError(fmt::format("invalid <double>: \"{}\"", s.substr(0, 40)));
    }
    return d;
}

}  // namespace detail

namespace {

using detail::base64_decode;
using detail::parse_double;
using detail::parse_int;
using detail::trim;

// Element children only (comments and whitespace text are skipped).
std::vector<pugi::xml_node> elements(pugi::xml_node node) {
    std::vector<pugi::xml_node> out;
    for (auto child : node.children()) {
        if (child.type() == pugi::node_element) {
            out.push_back(child);
        } else if (child.type() == pugi::node_pcdata && !trim(child.value()).empty()) {
            throw ParseError(fmt::format("unexpected text inside <{}>", node.name()));
        }
    }
    return out;
}

pugi::xml_node only_child(pugi::xml_node node, const char* name) {
    auto kids = elements(node);
    if (kids.size() != 1 || std::strcmp(kids[0].name(), name) != 0) {
        throw ParseError(fmt::format("<{}> must hold exactly one <{}>", node.name(), name));
    }
    return kids[0];
}

Value decode_value(pugi::xml_node value, int depth);

Struct decode_struct(pugi::xml_node node, int depth) {
    Struct out;
    for (auto member : elements(node)) {
        if (!named(member.name(), "member")) {
            throw ParseError(fmt::format("unexpected <{}> in <struct>", member.name()));
        }
        auto parts = elements(member);
        if (parts.size() != 2 || !named(parts[0].name(), "name") || !named(parts[1].name(), "value")) {
            throw ParseError("<member> must hold <name> then <value>");
        }
        out.insert_or_assign(parts[0].text().get(), decode_value(parts[1], depth + 1));
    }
    return out;
}

Array decode_array(pugi::xml_node node, int depth) {
    Array out;
    for (auto value : elements(only_child(node, "data"))) {
        if (!named(value.name(), "value")) {
            throw ParseError(fmt::format("unexpected <{}> in <data>", value.name()));
        }
        out.push_back(decode_value(value, depth + 1));
    }
    return out;
}

Value decode_typed(pugi::xml_node typed, std::string_view type, int depth) {
    std::string_view text = typed.text().get();
    if (type == "string") {
        return std::string(text);
    }
    if (type == "int" || type == "i4" || type == "i8") {
        return parse_int(text, type == "i8" ? "i8" : "int");
    }
    if (type == "boolean") {
        auto t = trim(text);
        if (t != "0" && t != "1") {
            throw ParseError(fmt::format("invalid <boolean>: \"{}\"", t.substr(0, 40)));
        }
        return t == "1";
    }
    if (type == "double") {
        return parse_double(text);
    }
    if (type == "nil") {
        return Nil{};
    }
    if (type == "dateTime.iso8601") {
        return DateTime{std::string(trim(text))};
    }
    if (type == "base64") {
        return Binary{base64_decode(text)};
    }
    if (type == "struct") {
        return decode_struct(typed, depth);
    }
    if (type == "array") {
        return decode_array(typed, depth);
    }
    throw ParseError(fmt::format("unknown XML-RPC type <{}>", type.substr(0, 40)));
}

Value decode_value(pugi::xml_node value, int depth) {
    if (depth > max_depth) {
        throw ParseError("XML-RPC value nested too deeply");
    }
    if (!value.find_child([](pugi::xml_node n) { return n.type() == pugi::node_element; })) {
        return std::string(value.text().get());  // untyped: a string
    }
    auto kids = elements(value);
    if (kids.size() != 1) {
        throw ParseError("<value> must hold one typed element");
    }
    std::string_view type = kids[0].name();
    if (type.starts_with("ex:")) {
        type.remove_prefix(3);  // Apache's extension namespace (ex:nil, ex:i8)
    }
    return decode_typed(kids[0], type, depth);
}

void check_parse(const pugi::xml_document& doc, const pugi::xml_parse_result& result, const char* root) {
    if (!result) {
        throw ParseError(fmt::format("not XML: {} at offset {}", result.description(), result.offset));
    }
    if (std::strcmp(doc.document_element().name(), root) != 0) {
        throw ParseError(fmt::format("expected <{}>, got <{}>", root, doc.document_element().name()));
    }
}

// parse_default neither loads DTDs nor expands custom entities.
constexpr unsigned parse_options = pugi::parse_default;

pugi::xml_document parse_document(std::string_view xml, const char* root) {
    pugi::xml_document doc;
    check_parse(doc, doc.load_buffer(xml.data(), xml.size(), parse_options, pugi::encoding_utf8), root);
    return doc;
}

// The <param> or <fault> of a parsed methodResponse.
pugi::xml_node response_part(const pugi::xml_document& doc) {
    auto kids = elements(doc.document_element());
    if (kids.size() != 1) {
        throw ParseError("<methodResponse> must hold <params> or <fault>");
    }
    if (named(kids[0].name(), "fault")) {
        return kids[0];
    }
    return only_child(kids[0], "param");
}

void encode_value(pugi::xml_node parent, const Value& value);

struct Encoder {
    mutable pugi::xml_node node;
    void operator()(const Nil&) const { node.append_child("nil"); }
    void operator()(bool b) const { node.append_child("boolean").text().set(b ? "1" : "0"); }
    void operator()(std::int64_t i) const {
        bool small = i >= INT32_MIN && i <= INT32_MAX;
        node.append_child(small ? "int" : "i8").text().set(std::to_string(i).c_str());
    }
    void operator()(double d) const { node.append_child("double").text().set(fmt::format("{}", d).c_str()); }
    void operator()(const std::string& s) const { node.append_child("string").text().set(s.c_str()); }
    void operator()(const DateTime& d) const { node.append_child("dateTime.iso8601").text().set(d.text.c_str()); }
    void operator()(const Binary& b) const { node.append_child("base64").text().set(base64_encode(b.bytes).c_str()); }
    void operator()(const Array& a) const {
        auto data = node.append_child("array").append_child("data");
        for (const auto& v : a) {
            encode_value(data, v);
        }
    }
    void operator()(const Struct& s) const {
        auto st = node.append_child("struct");
        for (const auto& [name, v] : s) {
            auto member = st.append_child("member");
            member.append_child("name").text().set(name.c_str());
            encode_value(member, v);
        }
    }
};

void encode_value(pugi::xml_node parent, const Value& value) {
    std::visit(Encoder{parent.append_child("value")}, value.variant());
}

std::string to_string(const pugi::xml_document& doc) {
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
    return "<?xml version='1.0'?>\n" + out.str();
}

Fault decode_fault(pugi::xml_node fault) {
    return detail::fault_from(decode_value(only_child(fault, "value"), 0));
}

}  // namespace

Fault detail::fault_from(const Value& v) {
    const Value* code = v.find("faultCode");
    const Value* message = v.find("faultString");
    if (!code || !message || !code->is<std::int64_t>() || !message->is<std::string>()) {
        throw ParseError("<fault> must hold a struct with faultCode and faultString");
    }
    return Fault{code->as_int(), message->as_string()};
}

// ---- Value

namespace {
template <class T>
const T& get_as(const Value::Variant& v, const char* want, const Value& self) {
    if (const T* p = std::get_if<T>(&v)) {
        return *p;
    }
    throw Mismatch(fmt::format("expected {}, got {}", want, self.type_name()));
}
}  // namespace

bool Value::as_bool() const {
    return get_as<bool>(v_, "boolean", *this);
}
std::int64_t Value::as_int() const {
    return get_as<std::int64_t>(v_, "int", *this);
}
double Value::as_double() const {
    if (const auto* i = std::get_if<std::int64_t>(&v_)) {
        return static_cast<double>(*i);
    }
    return get_as<double>(v_, "double", *this);
}
const std::string& Value::as_string() const {
    return get_as<std::string>(v_, "string", *this);
}
const Array& Value::as_array() const {
    return get_as<Array>(v_, "array", *this);
}
const Struct& Value::as_struct() const {
    return get_as<Struct>(v_, "struct", *this);
}

const Value* Value::find(const std::string& key) const {
    const auto* s = std::get_if<Struct>(&v_);
    if (!s) {
        return nullptr;
    }
    auto it = s->find(key);
    return it == s->end() ? nullptr : &it->second;
}

const Value& Value::operator[](const std::string& key) const {
    static const Value nil;
    const Value* v = find(key);
    return v ? *v : nil;
}

const char* Value::type_name() const noexcept {
    static constexpr const char* names[] = {"nil",      "boolean", "int",   "double", "string",
                                            "dateTime", "base64",  "array", "struct"};
    return names[v_.index()];
}

// ---- documents

std::string encode_call(const Call& call) {
    pugi::xml_document doc;
    auto root = doc.append_child("methodCall");
    root.append_child("methodName").text().set(call.method.c_str());
    auto params = root.append_child("params");
    for (const auto& p : call.params) {
        encode_value(params.append_child("param"), p);
    }
    if (!call.kwargs.empty()) {
        Struct kw = call.kwargs;
        kw["__starstar"] = true;
        encode_value(params.append_child("param"), Value(std::move(kw)));
    }
    return to_string(doc);
}

std::string encode_response(const Value& value) {
    pugi::xml_document doc;
    encode_value(doc.append_child("methodResponse").append_child("params").append_child("param"), value);
    return to_string(doc);
}

std::string encode_fault(const Fault& fault) {
    pugi::xml_document doc;
    Struct s{{"faultCode", fault.code}, {"faultString", fault.message}};
    encode_value(doc.append_child("methodResponse").append_child("fault"), Value(std::move(s)));
    return to_string(doc);
}

namespace {
std::variant<Value, Fault> decode_document(const pugi::xml_document& doc) {
    auto part = response_part(doc);
    if (named(part.name(), "fault")) {
        return decode_fault(part);
    }
    return decode_value(only_child(part, "value"), 0);
}
}  // namespace

std::variant<Value, Fault> decode_response(std::string_view xml) {
    return decode_document(parse_document(xml, "methodResponse"));
}

Call decode_call(std::string_view xml) {
    auto doc = parse_document(xml, "methodCall");
    Call call;
    auto root = doc.document_element();
    call.method = root.child("methodName").text().get();
    if (call.method.empty()) {
        throw ParseError("<methodCall> without <methodName>");
    }
    for (auto param : elements(root.child("params"))) {
        call.params.push_back(decode_value(only_child(param, "value"), 0));
    }
    if (!call.params.empty()) {
        const Value* star = call.params.back().find("__starstar");
        if (star && star->is<bool>() && star->as_bool()) {
            call.kwargs = call.params.back().as_struct();
            call.kwargs.erase("__starstar");
            call.params.pop_back();
        }
    }
    return call;
}

Value multicall_params(const std::vector<Call>& calls) {
    Array list;
    for (const auto& call : calls) {
        Array params = call.params;
        if (!call.kwargs.empty()) {
            Struct kw = call.kwargs;
            kw["__starstar"] = true;
            params.emplace_back(std::move(kw));
        }
        list.emplace_back(Struct{{"methodName", call.method}, {"params", std::move(params)}});
    }
    return list;
}

std::vector<std::variant<Value, Fault>> split_multicall(const Value& answer) {
    std::vector<std::variant<Value, Fault>> out;
    for (const auto& item : answer.as_array()) {
        if (item.is<Array>() && item.as_array().size() == 1) {
            out.emplace_back(item.as_array()[0]);
            continue;
        }
        const Value* code = item.find("faultCode");
        const Value* message = item.find("faultString");
        if (!code || !message || !code->is<std::int64_t>() || !message->is<std::string>()) {
            throw Mismatch("a multicall answer element is neither [value] nor a fault");
        }
        out.emplace_back(Fault{code->as_int(), message->as_string()});
    }
    return out;
}

// ---- reading in place

struct ViewAccess {
    static View make(const detail::Entry& e) { return View(&e); }
};

// The answer read into a tape when it is in the plain form; otherwise parsed by pugixml,
// in place in its buffer, and decoded only when asked.
struct Response::Document {
    std::string buffer;
    std::optional<detail::Tape> tape;
    pugi::xml_document doc;
};

Response::Response(std::string xml) : doc_(std::make_unique<Document>()) {
    doc_->buffer = std::move(xml);
    auto& b = doc_->buffer;
    doc_->tape = detail::scan(b);
    if (!doc_->tape) {
        check_parse(doc_->doc, doc_->doc.load_buffer_inplace(b.data(), b.size(), parse_options, pugi::encoding_utf8),
                    "methodResponse");
    }
}

Response::~Response() = default;
Response::Response(Response&&) noexcept = default;
Response& Response::operator=(Response&&) noexcept = default;

bool Response::read(const std::function<void(const View&)>& f) const {
    if (!doc_->tape || doc_->tape->fault) {
        return false;
    }
    f(ViewAccess::make(doc_->tape->entries.front()));
    return true;
}

std::variant<Value, Fault> Response::decode() const {
    if (!doc_->tape) {
        return decode_document(doc_->doc);
    }
    Value v = detail::to_value(doc_->tape->entries.front());
    if (doc_->tape->fault) {
        return detail::fault_from(v);
    }
    return v;
}

}  // namespace flr::xmlrpc
