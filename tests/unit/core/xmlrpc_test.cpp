// The XML-RPC codec: the real Koji wire sample, every value type, faults, multicall
// and malformed input.
#include "core/xmlrpc.hpp"
#include "core/fs.hpp"
#include "services/koji_decode.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace flr::xmlrpc;

namespace {

nlohmann::json sample(const std::string& name) {
    return nlohmann::json::parse(flr::fs::read_file(FLR_TEST_DATA_DIR "/apis/" + name + ".json"));
}

// A JSON sample value as the XML-RPC value Koji would send (null -> nil).
Value from_json(const nlohmann::json& j) {
    if (j.is_null())
        return Nil{};
    if (j.is_boolean())
        return j.get<bool>();
    if (j.is_number_integer())
        return j.get<std::int64_t>();
    if (j.is_number_float())
        return j.get<double>();
    if (j.is_string())
        return j.get<std::string>();
    if (j.is_array()) {
        Array a;
        for (const auto& v : j)
            a.push_back(from_json(v));
        return a;
    }
    Struct s;
    for (const auto& [k, v] : j.items())
        s[k] = from_json(v);
    return s;
}

Value decoded(const std::string& xml) {
    auto r = decode_response(xml);
    EXPECT_TRUE(std::holds_alternative<Value>(r));
    return std::get<Value>(r);
}

}  // namespace

TEST(XmlRpc, DecodesKojisWireRequest) {
    auto call = decode_call(sample("koji_xmlrpc_wire")["request_xml"].get<std::string>());
    EXPECT_EQ(call.method, "getLatestBuilds");
    ASSERT_EQ(call.params.size(), 1U);
    EXPECT_EQ(call.params[0].as_string(), "f40-updates");
    ASSERT_EQ(call.kwargs.size(), 1U);
    EXPECT_EQ(call.kwargs.at("package").as_string(), "bash");
}

TEST(XmlRpc, EncodesKeywordArgumentsAsTheTrailingStarstarStruct) {
    std::string xml = encode_call({"getLatestBuilds", {"f40-updates"}, {{"package", "bash"}}});
    EXPECT_NE(xml.find("<name>__starstar</name><value><boolean>1</boolean></value>"), std::string::npos) << xml;
    auto back = decode_call(xml);
    EXPECT_EQ(back.kwargs.at("package").as_string(), "bash");
    EXPECT_EQ(back.params.size(), 1U);
}

TEST(XmlRpc, RoundTripsEveryType) {
    Struct s{{"nil", Nil{}},
             {"yes", true},
             {"int", 42},
             {"big", std::int64_t{1} << 40},
             {"neg", -7},
             {"double", 1.5},
             {"text", "a <b> & \"c\" é"},
             {"when", DateTime{"20240301T10:00:00"}},
             {"blob", Binary{std::string("\0\x01\xff"
                                         "abc",
                                         6)}},
             {"list", Array{1, "two", Array{}, Struct{}}}};
    Value v(s);
    EXPECT_EQ(decoded(encode_response(v)), v);
    EXPECT_NE(encode_response(v).find("<i8>1099511627776</i8>"), std::string::npos);
}

TEST(XmlRpc, ReadsUntypedValuesAndExtensions) {
    auto v = decoded("<methodResponse><params><param><value>plain</value></param></params></methodResponse>");
    EXPECT_EQ(v.as_string(), "plain");
    v = decoded("<methodResponse><params><param><value><ex:nil/></value></param></params></methodResponse>");
    EXPECT_TRUE(v.is_nil());
    v = decoded("<methodResponse><params><param><value><i4> 12 </i4></value></param></params></methodResponse>");
    EXPECT_EQ(v.as_int(), 12);
    v = decoded(
        "<methodResponse><params><param><value><base64>aGVs\nbG8=</base64></value></param></params>"
        "</methodResponse>");
    EXPECT_EQ(std::get<Binary>(v.variant()).bytes, "hello");
}

TEST(XmlRpc, DecodesFaults) {
    auto r = decode_response(encode_fault({1000, "koji.GenericError: package nethack NOT blocked in tag f41\n"}));
    ASSERT_TRUE(std::holds_alternative<Fault>(r));
    auto f = flr::koji::make_fault(std::get<Fault>(r));
    EXPECT_EQ(f.name(), "GenericError");
    EXPECT_STREQ(f.what(), "koji: GenericError: package nethack NOT blocked in tag f41");
    EXPECT_EQ(flr::koji::fault_name(1002), "AuthError");
    EXPECT_EQ(flr::koji::fault_name(1019), "ParameterError");
    EXPECT_EQ(flr::koji::fault_name(7), "Fault");
}

TEST(XmlRpc, SplitsMulticallAnswers) {
    Value answer(Array{Array{Value(Array{})}, Struct{{"faultCode", 1000}, {"faultString", "no"}}});
    auto parts = split_multicall(answer);
    ASSERT_EQ(parts.size(), 2U);
    EXPECT_TRUE(std::holds_alternative<Value>(parts[0]));
    EXPECT_EQ(std::get<Fault>(parts[1]).message, "no");
    auto params = multicall_params({{"listPackages", {}, {{"tagID", "f40"}}}});
    EXPECT_EQ(params.as_array()[0]["methodName"].as_string(), "listPackages");
    EXPECT_TRUE(params.as_array()[0]["params"].as_array()[0]["__starstar"].as_bool());
}

TEST(XmlRpc, RefusesMalformedInput) {
    for (const char* bad :
         {"", "not xml", "<methodCall/>", "<methodResponse/>",
          "<methodResponse><params><param><value><int>x</int></value></param></params></methodResponse>",
          "<methodResponse><params><param><value><int>99999999999</int></value></param></params></methodResponse>",
          "<methodResponse><params><param><value><boolean>2</boolean></value></param></params></methodResponse>",
          "<methodResponse><params><param><value><blob/></value></param></params></methodResponse>",
          "<methodResponse><params><param><value><base64>!!</base64></value></param></params></methodResponse>",
          "<methodResponse><params><params><param><value>x</value></param></params></params></methodResponse>",
          "<methodResponse><fault><value><struct/></value></fault></methodResponse>"}) {
        EXPECT_THROW(decode_response(bad), ParseError) << bad;
    }
}

TEST(XmlRpc, RefusesDeepNesting) {
    std::string xml = "<methodResponse><params><param>";
    for (int i = 0; i < 100; ++i)
        xml += "<value><array><data>";
    for (int i = 0; i < 100; ++i)
        xml += "</data></array></value>";
    xml += "</param></params></methodResponse>";
    EXPECT_THROW(decode_response(xml), ParseError);
}

TEST(KojiDecode, ReadsTheRealSamples) {
    auto build = flr::koji::build_from(from_json(sample("koji_getBuild")["response"]));
    EXPECT_EQ(build.nvr, "bash-5.2.26-3.fc40");
    EXPECT_EQ(build.id, 2421063);
    EXPECT_FALSE(build.epoch);
    EXPECT_EQ(build.task_id, 115000000);
    auto pkgs = flr::koji::list_from(from_json(sample("koji_listPackages")["response"]), flr::koji::package_from);
    ASSERT_EQ(pkgs.size(), 1U);
    EXPECT_TRUE(pkgs[0].blocked);
    EXPECT_EQ(pkgs[0].tag_name, "f40");
    auto archives =
        flr::koji::list_from(from_json(sample("koji_listArchives_image")["response"]), flr::koji::archive_from);
    EXPECT_EQ(archives.at(0).arch, "x86_64");
    auto rpms = flr::koji::list_from(from_json(sample("koji_listRPMs_image")["response"]), flr::koji::rpm_from);
    EXPECT_EQ(rpms.at(0).nvr, "bash-5.2.26-3.fc40");
    auto tags = flr::koji::list_from(from_json(sample("koji_listTags")["response"]), flr::koji::tag_from);
    EXPECT_TRUE(tags.at(0).blocked);
    // Through the XML layer too: encode the sample as Koji would, decode it back.
    auto v = decoded(encode_response(from_json(sample("koji_getBuild")["response"])));
    EXPECT_EQ(flr::koji::build_from(v).owner_name, "bodhi");
}

TEST(KojiDecode, RefusesWrongShapes) {
    EXPECT_THROW(flr::koji::build_from(Value("x")), Mismatch);
    EXPECT_THROW(flr::koji::build_from(Value(Struct{{"state", 9}})), Mismatch);
    EXPECT_THROW(flr::koji::build_from(Value(Struct{{"nvr", 3}})), Mismatch);
}

namespace {

std::string response(const std::string& value) {
    return "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n" + value +
           "</param>\n</params>\n</methodResponse>\n";
}

// Response's reading of `xml`: read in one pass (true) or left to pugixml (false), and
// in either case decoded exactly as decode_response decodes it.
bool read_in_one_pass(const std::string& xml) {
    Response answer(xml);
    bool plain = answer.read([](const View&) {});
    auto direct = decode_response(xml);
    auto decoded = answer.decode();
    EXPECT_EQ(decoded.index(), direct.index()) << xml;
    if (auto* v = std::get_if<Value>(&direct)) {
        EXPECT_EQ(std::get<Value>(decoded), *v) << xml;
    }
    return plain;
}

}  // namespace

TEST(XmlRpcResponse, ReadsThePlainFormInOnePass) {
    for (const char* value : {
             "<value><string>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</string></value>",
             "<value><string>  </string></value>",  // whitespace only: no text, as pugixml
             "<value><string/></value>",
             "<value>untyped  text </value>",
             "<value>   </value>",
             "<value/>",
             "<value>\n\t<i4> +12 </i4>\n</value>",
             "<value><i8>-9007199254740993</i8></value>",
             "<value><boolean> 1 </boolean></value>",
             "<value><double>-2.5e3</double></value>",
             "<value><nil/></value>",
             "<value><nil></nil></value>",
             "<value><dateTime.iso8601> 20240301T10:00:00 </dateTime.iso8601></value>",
             "<value><base64>aGVs\nbG8=</base64></value>",
             "<value><struct/></value>",
             "<value><array><data/></array></value>",
             "<value><struct>\n<member>\n<name>a</name>\n<value><int>1</int></value>\n</member>\n<member><name>a</name>"
             "<value><array>\n<data>\n<value>x</value>\n<value><struct></struct></value>\n</data>\n</array></value>"
             "</member></struct></value>",
         }) {
        EXPECT_TRUE(read_in_one_pass(response(value))) << value;
    }
    EXPECT_TRUE(read_in_one_pass("<methodResponse><params><param><value>x</value></param></params></methodResponse>"));
    EXPECT_FALSE(read_in_one_pass(encode_fault({1000, "koji.GenericError: no & <way>"})));  // never read
    EXPECT_TRUE(read_in_one_pass(encode_response(Value(Struct{{"n", 1}, {"s", "x"}, {"l", Array{Nil{}, 2.5}}}))));
}

TEST(XmlRpcResponse, LeavesEveryOtherFormToPugixml) {
    for (const std::string& xml : std::vector<std::string>{
             response("<value><string>a<!-- c -->b</string></value>"),
             response("<value><string><![CDATA[<x>]]></string></value>"),
             response("<value><string>line\r\nnext</string></value>"),
             response("<value><string>&#65;&#x42;</string></value>"),
             response("<value><string>a & b</string></value>"),
             response("<value kind=\"x\"><string>a</string></value>"),
             response("<value ><string>a</string></value >"),
             response("<value><ex:i8>5</ex:i8></value>"),
             response("<value><base64/></value>"),
             response("<value><nil>x</nil></value>"),
             "<!DOCTYPE methodResponse>" + response("<value>x</value>"),
             "\xEF\xBB\xBF" + response("<value>x</value>"),
             "  <?xml version='1.0'?><methodResponse><params><param><value>x</value></param></params></methodResponse>",
             response("<value>x</value>") + "<!-- after -->",
         }) {
        EXPECT_FALSE(read_in_one_pass(xml)) << xml;
    }
}

TEST(XmlRpcResponse, RefusesWhatDecodeResponseRefuses) {
    for (const char* value : {
             "<value><int>x</int></value>",
             "<value><int>99999999999</int></value>",
             "<value><boolean>2</boolean></value>",
             "<value><double></double></value>",
             "<value><base64>!!</base64></value>",
             "<value>text<string>a</string></value>",
             "<value><string>a</string><string>b</string></value>",
             "<value><struct>text<member><name>a</name><value/></member></struct></value>",
             "<value><array/></value>",
             "<value><blob/></value>",
         }) {
        EXPECT_THROW(decode_response(response(value)), ParseError) << value;
        EXPECT_THROW(Response(response(value)).decode(), ParseError) << value;
    }
    EXPECT_THROW(Response("<methodResponse><params>"), ParseError);
    // A fault without its faultString.
    auto fault =
        "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>1</int></value>"
        "</member></struct></value></fault></methodResponse>";
    EXPECT_THROW(decode_response(fault), ParseError);
    EXPECT_THROW(Response(fault).decode(), ParseError);
}
