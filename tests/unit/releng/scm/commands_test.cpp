#include "releng/scm/commands.hpp"

#include <gtest/gtest.h>

using namespace flr::releng::scm;

TEST(ScmCommands, Parse) {
    EXPECT_EQ(parse_command("@releng-bot help", "releng-bot"), Command::help);
    EXPECT_EQ(parse_command("Thanks!\n  @releng-bot retry please", "releng-bot"), Command::retry);
    EXPECT_EQ(parse_command("@releng-bot: VALID", "releng-bot"), Command::valid);
    EXPECT_EQ(parse_command("@releng-bot dance", "releng-bot"), Command::unknown);
    EXPECT_FALSE(parse_command("@releng-bots help", "releng-bot"));
    EXPECT_FALSE(parse_command("ask @releng-bot help", "releng-bot"));
    EXPECT_FALSE(parse_command("just a comment", "releng-bot"));
}

TEST(ScmCommands, HelpNamesEveryCommand) {
    auto text = help_text("releng-bot");
    for (const char* c : {"@releng-bot help", "@releng-bot retry", "@releng-bot valid"}) {
        EXPECT_NE(text.find(c), std::string::npos) << c;
    }
}

TEST(ScmCommands, BotComments) {
    EXPECT_TRUE(by_bot({"releng-bot", "x"}, "releng-bot"));
    EXPECT_FALSE(by_bot({"jdoe", "x"}, "releng-bot"));
}
