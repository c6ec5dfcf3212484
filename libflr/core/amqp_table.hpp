// Private: AMQP field tables <-> JSON for core/amqp.cpp.
#pragma once

#include <amqp.h>
#include <nlohmann/json.hpp>

#include <deque>
#include <string>
#include <vector>

namespace flr::amqp {

// Strings become UTF-8 (invalid bytes replaced with U+FFFD); timestamps integers;
// decimals numbers; byte arrays strings.
nlohmann::json table_to_json(const amqp_table_t& table);

// Builds a table that stays valid while the builder lives.
class TableBuilder {
public:
    void add_string(const std::string& key, const std::string& value);
    void add_json(const nlohmann::json& object);  // a JSON object's members
    amqp_table_t table();

private:
    amqp_field_value_t value_of(const nlohmann::json& v);
    amqp_bytes_t keep(const std::string& s);
    std::deque<std::string> strings_;
    std::deque<std::vector<amqp_table_entry_t>> tables_;
    std::deque<std::vector<amqp_field_value_t>> arrays_;
    std::vector<amqp_table_entry_t> top_;
};

}  // namespace flr::amqp
