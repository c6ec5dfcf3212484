// Helper for the flr-listen unit tests: a message from tests/data/messages, read through
// the same parser and record forms as a replay file.
#pragma once

#include "engine/message.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace flr::test {

inline engine::Message data_message(const std::string& name) {
    std::ifstream in(std::string(FLR_TEST_DATA_DIR) + "/messages/" + name);
    std::stringstream text;
    text << in.rdbuf();
    engine::Json record;
    EXPECT_EQ(engine::parse_body(text.str(), engine::default_max_body, record), std::nullopt) << name;
    engine::Message m;
    EXPECT_EQ(engine::from_dump(record, m), std::nullopt) << name;
    return m;
}

}  // namespace flr::test
