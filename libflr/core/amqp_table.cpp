#include "core/amqp_table.hpp"

namespace flr::amqp {
namespace {

std::string utf8(amqp_bytes_t b) {
    std::string s = b.len ? std::string(static_cast<const char*>(b.bytes), b.len) : "";
    bool ascii = true;
    for (char c : s) {
        ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    }
    if (ascii) {
        return s;
    }
    // Round-trip through nlohmann's replacing dump to drop invalid sequences.
    std::string dumped = nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return nlohmann::json::parse(dumped).get<std::string>();
}

nlohmann::json field_to_json(const amqp_field_value_t& v);

nlohmann::json array_to_json(const amqp_array_t& a) {
    nlohmann::json out = nlohmann::json::array();
    for (int i = 0; i < a.num_entries; ++i) {
        out.push_back(field_to_json(a.entries[i]));
    }
    return out;
}

nlohmann::json field_to_json(const amqp_field_value_t& v) {
    switch (v.kind) {
        case AMQP_FIELD_KIND_BOOLEAN:
            return v.value.boolean != 0;
        case AMQP_FIELD_KIND_I8:
            return v.value.i8;
        case AMQP_FIELD_KIND_U8:
            return v.value.u8;
        case AMQP_FIELD_KIND_I16:
            return v.value.i16;
        case AMQP_FIELD_KIND_U16:
            return v.value.u16;
        case AMQP_FIELD_KIND_I32:
            return v.value.i32;
        case AMQP_FIELD_KIND_U32:
            return v.value.u32;
        case AMQP_FIELD_KIND_I64:
            return v.value.i64;
        case AMQP_FIELD_KIND_U64:
            return v.value.u64;
        case AMQP_FIELD_KIND_TIMESTAMP:
            return v.value.u64;
        case AMQP_FIELD_KIND_F32:
            return static_cast<double>(v.value.f32);
        case AMQP_FIELD_KIND_F64:
            return v.value.f64;
        case AMQP_FIELD_KIND_DECIMAL: {
            double d = v.value.decimal.value;
            for (int i = 0; i < v.value.decimal.decimals && i < 32; ++i) {
                d /= 10;
            }
            return d;
        }
        case AMQP_FIELD_KIND_UTF8:
        case AMQP_FIELD_KIND_BYTES:
            return utf8(v.value.bytes);
        case AMQP_FIELD_KIND_ARRAY:
            return array_to_json(v.value.array);
        case AMQP_FIELD_KIND_TABLE:
            return table_to_json(v.value.table);
        default:
            return nullptr;
    }
}

}  // namespace

nlohmann::json table_to_json(const amqp_table_t& table) {
    nlohmann::json out = nlohmann::json::object();
    for (int i = 0; i < table.num_entries; ++i) {
        out[utf8(table.entries[i].key)] = field_to_json(table.entries[i].value);
    }
    return out;
}

amqp_bytes_t TableBuilder::keep(const std::string& s) {
    strings_.push_back(s);
    return amqp_bytes_t{strings_.back().size(), strings_.back().data()};
}

void TableBuilder::add_string(const std::string& key, const std::string& value) {
    amqp_table_entry_t e{keep(key), {}};
    e.value.kind = AMQP_FIELD_KIND_UTF8;
    e.value.value.bytes = keep(value);
    top_.push_back(e);
}

amqp_field_value_t TableBuilder::value_of(const nlohmann::json& v) {
    amqp_field_value_t f{};
    if (v.is_boolean()) {
        f.kind = AMQP_FIELD_KIND_BOOLEAN;
        f.value.boolean = v.get<bool>();
    } else if (v.is_number_integer()) {
        f.kind = AMQP_FIELD_KIND_I64;
        f.value.i64 = v.get<std::int64_t>();
    } else if (v.is_number()) {
        f.kind = AMQP_FIELD_KIND_F64;
        f.value.f64 = v.get<double>();
    } else if (v.is_string()) {
        f.kind = AMQP_FIELD_KIND_UTF8;
        f.value.bytes = keep(v.get<std::string>());
    } else if (v.is_array()) {
        auto& items = arrays_.emplace_back();
        for (const auto& item : v) {
            items.push_back(value_of(item));
        }
        f.kind = AMQP_FIELD_KIND_ARRAY;
        f.value.array = amqp_array_t{static_cast<int>(items.size()), items.data()};
    } else if (v.is_object()) {
        auto& entries = tables_.emplace_back();
        for (const auto& [k, item] : v.items()) {
            amqp_table_entry_t e{keep(k), value_of(item)};
            entries.push_back(e);
        }
        f.kind = AMQP_FIELD_KIND_TABLE;
        f.value.table = amqp_table_t{static_cast<int>(entries.size()), entries.data()};
    } else {
        f.kind = AMQP_FIELD_KIND_VOID;
    }
    return f;
}

void TableBuilder::add_json(const nlohmann::json& object) {
    if (!object.is_object()) {
        return;
    }
    for (const auto& [k, v] : object.items()) {
        amqp_table_entry_t e{keep(k), value_of(v)};
        top_.push_back(e);
    }
}

amqp_table_t TableBuilder::table() {
    return amqp_table_t{static_cast<int>(top_.size()), top_.data()};
}

}  // namespace flr::amqp
