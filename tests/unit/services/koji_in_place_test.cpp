// Koji's big multicall answers read in place agree with the Value decoders: the hub's own
// wire format (Python's marshaller), and every answer the in-place readers must decline.
#include "core/fs.hpp"
#include "core/xmlrpc.hpp"
#include "services/koji_decode.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace flr;
using xmlrpc::Value;

namespace {

std::string wire(const std::string& name) {
    static const auto samples =
        nlohmann::json::parse(fs::read_file(FLR_TEST_DATA_DIR "/apis/koji_multicall_wire.json"));
    return samples.at(name).get<std::string>();
}

// The Value path: the whole answer as a Value tree, then each call's answer decoded.
template <class F>
auto through_values(const std::string& xml, F f) {
    auto answer = std::get<Value>(xmlrpc::decode_response(xml));
    std::vector<decltype(f(Value{}))> out;
    for (auto& part : xmlrpc::split_multicall(answer)) {
        out.push_back(f(std::get<Value>(part)));
    }
    return out;
}

auto rpm_lists(const Value& v) {
    return koji::list_from(v, koji::rpm_from);
}
auto build_lists(const Value& v) {
    return koji::list_from(v, koji::build_from);
}
auto builds(const Value& v) {
    return v.is_nil() ? std::nullopt : std::optional<koji::Build>(koji::build_from(v));
}

// The answer parsed as the client parses it, then read in place.
template <class R>
std::optional<std::vector<R>> read(std::optional<std::vector<R>> (*in_place)(const koji::Answer&),
                                   const std::string& xml) {
    return in_place(xmlrpc::Response(xml));
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? s : s.replace(at, from.size(), to);
}

}  // namespace

TEST(KojiInPlace, ListRpmsAgreesWithTheValueDecoder) {
    auto xml = wire("listRPMs");
    auto fast = read(koji::rpm_lists_in_place, xml);
    ASSERT_TRUE(fast);
    EXPECT_EQ(*fast, through_values(xml, rpm_lists));
    ASSERT_EQ(fast->size(), 2U);
    ASSERT_EQ((*fast)[0].size(), 2U);
    EXPECT_TRUE((*fast)[1].empty());
    const auto& doc = (*fast)[0][1];
    EXPECT_EQ(doc.id, 38000001);
    EXPECT_EQ(doc.build_id, 2421063);
    EXPECT_EQ(doc.name, "bash-doc");
    EXPECT_EQ(doc.arch, "noarch");
    EXPECT_EQ(doc.epoch, 2);
    EXPECT_EQ((*fast)[0][0].epoch, std::nullopt);  // epoch: null is no epoch
}

TEST(KojiInPlace, GetBuildAgreesWithTheValueDecoder) {
    auto xml = wire("getBuild");
    auto fast = read(koji::builds_in_place, xml);
    ASSERT_TRUE(fast);
    EXPECT_EQ(*fast, through_values(xml, builds));
    ASSERT_EQ(fast->size(), 3U);
    EXPECT_EQ((*fast)[0]->nvr, "bash-5.2.26-3.fc40");
    EXPECT_EQ((*fast)[0]->completion_time, "2024-03-01 10:00:00+00:00");
    EXPECT_EQ((*fast)[0]->task_id, 115000000);
    EXPECT_FALSE((*fast)[1]);                      // no such build
    EXPECT_EQ((*fast)[2]->name, "bash & co <x>");  // entities decoded
    EXPECT_EQ((*fast)[2]->epoch, 1);
    EXPECT_EQ((*fast)[2]->task_id, std::nullopt);
}

TEST(KojiInPlace, GetLatestBuildsAgreesWithTheValueDecoder) {
    auto xml = wire("getLatestBuilds");
    auto fast = read(koji::build_lists_in_place, xml);
    ASSERT_TRUE(fast);
    EXPECT_EQ(*fast, through_values(xml, build_lists));
    ASSERT_EQ(fast->size(), 3U);
    EXPECT_EQ((*fast)[0][0].tag_name, "f40-updates");
    EXPECT_EQ((*fast)[0][0].tag_event, 109000123);
    EXPECT_TRUE((*fast)[1].empty());
    EXPECT_EQ((*fast)[2].size(), 2U);
}

TEST(KojiInPlace, AgreesOnFlrsOwnEncodingAndOnRepeatedMembers) {
    // No whitespace at all, and a repeated member whose last value wins.
    // The outer list is built by push_back: Array{Array{...}} may be read as a copy.
    xmlrpc::Array inner{xmlrpc::Struct{
        {"id", 1}, {"build_id", 2}, {"name", "a"}, {"version", "1"}, {"release", "1"}, {"epoch", xmlrpc::Nil{}}}};
    xmlrpc::Array outer;
    outer.push_back(xmlrpc::Value(std::move(inner)));
    auto xml = xmlrpc::encode_response(outer);
    auto repeated = replace(xml, "<member><name>id</name><value><int>1</int></value></member>",
                            "<member><name>id</name><value><int>1</int></value></member>"
                            "<member><name>id</name><value><i4>7</i4></value></member>");
    for (const auto& answer : {xml, repeated}) {
        auto fast = read(koji::builds_in_place, answer);
        ASSERT_TRUE(fast) << answer;
        EXPECT_EQ(*fast, through_values(answer, builds));
    }
    EXPECT_EQ((*read(koji::builds_in_place, repeated))[0]->id, 2);  // build_id before id
    xmlrpc::Array rpm_list{xmlrpc::Struct{{"id", 1}}};
    xmlrpc::Array lists;
    lists.push_back(xmlrpc::Value(std::move(rpm_list)));
    xmlrpc::Array answers;
    answers.push_back(xmlrpc::Value(std::move(lists)));
    auto rpms = xmlrpc::encode_response(answers);
    auto again = replace(rpms, "<member><name>id</name><value><int>1</int></value></member>",
                         "<member><name>id</name><value><int>1</int></value></member>"
                         "<member><name>id</name><value><int>7</int></value></member>");
    EXPECT_EQ((*read(koji::rpm_lists_in_place, again))[0][0].id, 7);
    EXPECT_EQ(*read(koji::rpm_lists_in_place, again), through_values(again, rpm_lists));
}

TEST(KojiInPlace, DeclinesWhatTheValuePathRefusesOrReportsAsAFault) {
    auto rpms = wire("listRPMs");
    auto builds_xml = wire("getBuild");
    EXPECT_FALSE(read(koji::rpm_lists_in_place, wire("fault")));  // a call answered with a fault
    EXPECT_FALSE(read(koji::rpm_lists_in_place, xmlrpc::encode_fault({1000, "koji.GenericError: no"})));
    EXPECT_THROW(xmlrpc::Response("not XML"), xmlrpc::ParseError);  // the client's bad answer
    EXPECT_THROW(xmlrpc::Response("<methodCall/>"), xmlrpc::ParseError);
    EXPECT_FALSE(read(koji::rpm_lists_in_place, builds_xml));  // getBuild's answers are not lists
    // An RPM list read as builds: both paths take it, and agree (what state 0 means is
    // the caller's business).
    ASSERT_TRUE(read(koji::build_lists_in_place, rpms));
    EXPECT_EQ(*read(koji::build_lists_in_place, rpms), through_values(rpms, build_lists));
    // Bad text in a member the decoder does not read: the Value path refuses the whole answer.
    auto bad_unused = replace(rpms, "<value><int>1900000</int></value>", "<value><int>19x</int></value>");
    EXPECT_THROW(xmlrpc::decode_response(bad_unused), xmlrpc::ParseError);
    EXPECT_FALSE(read(koji::rpm_lists_in_place, bad_unused));
    auto bad_double = replace(builds_xml, "<double>1709287200.0</double>", "<double>17e</double>");
    EXPECT_THROW(xmlrpc::decode_response(bad_double), xmlrpc::ParseError);
    EXPECT_FALSE(read(koji::builds_in_place, bad_double));
    // A member of the wrong type, an unknown state, an int out of range, a stray text.
    auto wrong_type = replace(builds_xml, "<value><int>2421063</int></value>", "<value><string>x</string></value>");
    EXPECT_THROW(through_values(wrong_type, builds), xmlrpc::Mismatch);
    EXPECT_FALSE(read(koji::builds_in_place, wrong_type));
    auto bad_state =
        replace(builds_xml, "<name>state</name>\n<value><int>1</int>", "<name>state</name>\n<value><int>9</int>");
    EXPECT_THROW(through_values(bad_state, builds), xmlrpc::Mismatch);
    EXPECT_FALSE(read(koji::builds_in_place, bad_state));
    auto too_big = replace(rpms, "<int>38000000</int>", "<int>3800000000</int>");
    EXPECT_THROW(xmlrpc::decode_response(too_big), xmlrpc::ParseError);
    EXPECT_FALSE(read(koji::rpm_lists_in_place, too_big));
    auto stray = replace(rpms, "<member>", "text<member>");
    EXPECT_THROW(xmlrpc::decode_response(stray), xmlrpc::ParseError);
    EXPECT_FALSE(read(koji::rpm_lists_in_place, stray));
    // Two values for one call.
    auto two = replace(builds_xml, "<data>\n<value><nil/></value></data>",
                       "<data>\n<value><nil/></value><value><nil/></value></data>");
    EXPECT_THROW(through_values(two, builds), xmlrpc::Mismatch);
    EXPECT_FALSE(read(koji::builds_in_place, two));
}

TEST(KojiInPlace, DeclinesValuesNestedTooDeeply) {
    std::string deep;
    for (int i = 0; i < xmlrpc::max_depth + 2; ++i) {
        deep += "<value><array><data>";
    }
    for (int i = 0; i < xmlrpc::max_depth + 2; ++i) {
        deep += "</data></array></value>";
    }
    auto xml = replace(wire("listRPMs"), "<name>extra</name>\n<value><nil/></value>", "<name>extra</name>\n" + deep);
    EXPECT_THROW(xmlrpc::decode_response(xml), xmlrpc::ParseError);
    EXPECT_FALSE(read(koji::rpm_lists_in_place, xml));
}

TEST(KojiInPlace, AParsedAnswerDecodesAsDecodeResponse) {
    for (const auto& name : {"listRPMs", "getBuild", "getLatestBuilds", "fault"}) {
        auto xml = wire(name);
        auto direct = xmlrpc::decode_response(xml);
        auto parsed = xmlrpc::Response(xml).decode();
        ASSERT_EQ(direct.index(), parsed.index()) << name;
        if (auto* v = std::get_if<Value>(&direct)) {
            EXPECT_EQ(*v, std::get<Value>(parsed)) << name;
        }
    }
    auto fault = xmlrpc::Response(xmlrpc::encode_fault({1000, "koji.GenericError: no"})).decode();
    ASSERT_TRUE(std::holds_alternative<xmlrpc::Fault>(fault));
    EXPECT_EQ(std::get<xmlrpc::Fault>(fault).message, "koji.GenericError: no");
}

TEST(XmlRpc, ReadsDoublesAsTheStreamDoes) {
    for (const char* text : {"1.5", "-0.25", "1e3", "1E-3", "+2.5", "1.", "007", " 3.25 ", "1e999", "inf", "0x10", "1e",
                             "-", ".5", "1.5.5"}) {
        std::string xml = "<methodResponse><params><param><value><double>" + std::string(text) +
                          "</double></value></param></params></methodResponse>";
        std::optional<double> expected;
        {
            std::string s(text);
            s.erase(0, s.find_first_not_of(' '));
            s.erase(s.find_last_not_of(' ') + 1);
            std::istringstream in(s);
            in.imbue(std::locale::classic());
            double d = 0;
            in >> d;
            if (!s.empty() && !in.fail() && in.eof()) {
                expected = d;
            }
        }
        if (expected) {
            EXPECT_EQ(std::get<Value>(xmlrpc::decode_response(xml)).as_double(), *expected) << text;
        } else {
            EXPECT_THROW(xmlrpc::decode_response(xml), xmlrpc::ParseError) << text;
        }
    }
}
