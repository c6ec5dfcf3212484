#include "services/koji_decode.hpp"
#include "services/settings.hpp"

#include <flr/config.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

namespace flr::koji {

using xmlrpc::Array;
using xmlrpc::Call;
using xmlrpc::Struct;
using xmlrpc::Value;

Fault::Fault(std::int64_t code, std::string name, const std::string& message)
    : RemoteError("koji", fmt::format("{}: {}", name, message)), code_(code), name_(std::move(name)) {}

Client::~Client() = default;

namespace {

// The XML-RPC session: plain calls, multicalls, and calls after sslLogin.
class Session {
public:
    explicit Session(services::Endpoint endpoint) : url_(endpoint.url), http_(endpoint.http) {}

    Value call(const Call& c, bool idempotent = true) { return send(url_ + auth_query(), c, idempotent); }

    Value authenticated(const Call& c) {
        login();
        return call(c, false);
    }

    // One R per call. The answer is read in place by `in_place` (a *_in_place decoder);
    // when that declines (a fault, a bad answer), `decode` takes each call's Value, and
    // faults and bad shapes throw as for any call.
    template <class R, class Decode>
    std::vector<R> multicall(const std::vector<Call>& calls,
                             std::optional<std::vector<R>> (*in_place)(const xmlrpc::Response&), Decode decode) {
        if (calls.empty()) {
            return {};
        }
        Call multi{"multiCall", {xmlrpc::multicall_params(calls)}, {}};
        auto doc = parse_answer(multi, post(url_ + auth_query(), multi, true));
        if (auto answers = in_place(doc); answers && answers->size() == calls.size()) {
            return std::move(*answers);
        }
        Value answer = decode_answer(multi, doc);
        auto parts = guard("multiCall", [&] { return xmlrpc::split_multicall(answer); });
        if (parts.size() != calls.size()) {
            throw RemoteError("koji",
                              fmt::format("multiCall: asked {} calls, got {} answers", calls.size(), parts.size()));
        }
        std::vector<R> out;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (auto* fault = std::get_if<xmlrpc::Fault>(&parts[i])) {
                throw make_fault(*fault);
            }
            out.push_back(guard(calls[i].method, [&] { return decode(std::get<Value>(parts[i])); }));
        }
        return out;
    }

    template <class F>
    auto guard(const std::string& method, F f) -> decltype(f()) {
        try {
            return f();
        } catch (const xmlrpc::Mismatch& e) {
            throw RemoteError("koji", fmt::format("{}: unexpected answer: {}", method, e.what()));
        }
    }

private:
    Value send(const std::string& url, const Call& c, bool idempotent) {
        return decode_answer(c, parse_answer(c, post(url, c, idempotent)));
    }

    // The body of Koji's answer to `c`.
    std::string post(const std::string& url, const Call& c, bool idempotent) {
        http::Request r{
            "POST", url, {{"Content-Type", "text/xml"}, {"Accept", "text/xml"}}, xmlrpc::encode_call(c), idempotent};
        auto response = http_.send(r);
        if (response.status != 200) {
            http_.fail(r, response);
        }
        return std::move(response.body);
    }

    static RemoteError bad_answer(const Call& c, const xmlrpc::ParseError& e) {
        return RemoteError("koji", fmt::format("{}: bad XML-RPC answer: {}", c.method, e.what()));
    }

    // The answer parsed (in its own buffer); not XML throws as a bad answer.
    static xmlrpc::Response parse_answer(const Call& c, std::string body) {
        try {
            return xmlrpc::Response(std::move(body));
        } catch (const xmlrpc::ParseError& e) {
            throw bad_answer(c, e);
        }
    }

    Value decode_answer(const Call& c, const xmlrpc::Response& doc) {
        std::variant<Value, xmlrpc::Fault> result;
        try {
            result = doc.decode();
        } catch (const xmlrpc::ParseError& e) {
            throw bad_answer(c, e);
        }
        if (auto* fault = std::get_if<xmlrpc::Fault>(&result)) {
            log::debug(fmt::format("koji: {} -> fault {}", c.method, fault->code));
            throw make_fault(*fault);
        }
        return std::get<Value>(std::move(result));
    }

    std::string auth_query() {
        if (session_id_.empty()) {
            return {};
        }
        return http::query(
            {{"session-id", session_id_}, {"session-key", session_key_}, {"callnum", std::to_string(callnum_++)}});
    }

    void login() {
        if (!session_id_.empty()) {
            return;
        }
        if (http_.settings().client_cert.empty()) {
            throw ConfigError("koji: a write needs a client certificate (koji.cert in flr.yaml)");
        }
        Value info = send(url_ + "/ssllogin", Call{"sslLogin", {}, {}}, false);
        guard("sslLogin", [&] {
            session_id_ = std::to_string(info["session-id"].as_int());
            session_key_ = info["session-key"].as_string();
        });
        http_.add_secret(session_key_);
        log::debug(fmt::format("koji: logged in, session {}", session_id_));
    }

    std::string url_;
    http::Client http_;
    std::string session_id_;
    std::string session_key_;
    std::int64_t callnum_ = 0;
};

Struct package_kwargs(const PackageQuery& q) {
    Struct kw{{"tagID", q.tag}, {"inherited", q.inherited}, {"with_blocked", q.with_blocked}};
    if (!q.package.empty()) {
        kw["pkgID"] = q.package;
    }
    return kw;
}

// Answers per multicall: bulk queries go in rounds of this many calls.
constexpr std::size_t multicall_batch = 1000;

class XmlRpcClient final : public Client {
public:
    XmlRpcClient(services::Endpoint endpoint, std::string topurl)
        : s_(std::move(endpoint)), topurl_(std::move(topurl)) {}

    std::optional<Build> build(const std::string& nvr) override { return get_build(nvr); }
    std::optional<Build> build(std::int64_t id) override { return get_build(id); }

    std::vector<Build> latest_builds(const std::string& tag, const std::string& package,
                                     const std::string& type) override {
        Struct kw;
        if (!package.empty()) {
            kw["package"] = package;
        }
        if (!type.empty()) {
            kw["type"] = type;
        }
        return list("getLatestBuilds", {tag}, kw, build_from);
    }

    std::vector<Build> tagged(const std::string& tag, const TaggedQuery& q) override {
        Struct kw{{"inherit", q.inherit}, {"latest", q.latest}};
        if (!q.package.empty()) {
            kw["package"] = q.package;
        }
        if (!q.type.empty()) {
            kw["type"] = q.type;
        }
        return list("listTagged", {tag}, kw, build_from);
    }

    std::vector<PackageEntry> packages(const PackageQuery& q) override {
        return list("listPackages", {}, package_kwargs(q), package_from);
    }

    std::optional<Tag> tag(const std::string& name) override {
        Value v = s_.call({"getTag", {name}, {}});
        return v.is_nil() ? std::nullopt : std::optional<Tag>(s_.guard("getTag", [&] { return tag_from(v); }));
    }

    std::vector<Tag> tags(const std::string& package) override {
        Struct kw;
        if (!package.empty()) {
            kw["package"] = package;
        }
        return list("listTags", {}, kw, tag_from);
    }

    std::vector<Archive> archives(std::int64_t build_id, const std::string& type) override {
        Struct kw{{"buildID", build_id}};
        if (!type.empty()) {
            kw["type"] = type;
        }
        return list("listArchives", {}, kw, archive_from);
    }

    std::vector<Rpm> build_rpms(std::int64_t build_id) override {
        return list("listRPMs", {}, {{"buildID", build_id}}, rpm_from);
    }

    std::vector<Rpm> image_rpms(std::int64_t archive_id) override {
        return list("listRPMs", {}, {{"imageID", archive_id}}, rpm_from);
    }

    std::vector<std::vector<PackageEntry>> packages_many(const std::vector<PackageQuery>& queries) override {
        std::vector<Call> calls;
        for (const auto& q : queries) {
            calls.push_back({"listPackages", {}, package_kwargs(q)});
        }
        return many(calls, package_from);
    }

    std::vector<std::vector<Rpm>> image_rpms_many(const std::vector<std::int64_t>& ids) override {
        std::vector<Call> calls;
        for (auto id : ids) {
            calls.push_back({"listRPMs", {}, {{"imageID", id}}});
        }
        return s_.multicall(calls, rpm_lists_in_place, [](const Value& v) { return list_from(v, rpm_from); });
    }

    std::vector<std::optional<Build>> builds_many(const std::vector<std::int64_t>& ids) override {
        std::vector<Call> calls;
        for (auto id : ids) {
            calls.push_back({"getBuild", {Value(id)}, {}});
        }
        return in_rounds(calls, [&](const std::vector<Call>& round) {
            return s_.multicall(round, builds_in_place, [](const Value& v) {
                return v.is_nil() ? std::nullopt : std::optional<Build>(build_from(v));
            });
        });
    }

    std::vector<std::vector<Build>> latest_builds_many(const std::string& tag,
                                                       const std::vector<std::string>& packages) override {
        std::vector<Call> calls;
        for (const auto& p : packages) {
            calls.push_back({"getLatestBuilds", {tag}, {{"package", p}}});
        }
        return in_rounds(calls, [&](const std::vector<Call>& round) {
            return s_.multicall(round, build_lists_in_place, [](const Value& v) { return list_from(v, build_from); });
        });
    }

    std::optional<Task> task(std::int64_t id) override {
        Value v = s_.call({"getTaskInfo", {Value(id)}, {}});
        return v.is_nil() ? std::nullopt : std::optional<Task>(s_.guard("getTaskInfo", [&] { return task_from(v); }));
    }

    std::string topurl() const override { return topurl_; }

    void unblock(const std::string& tag, const std::string& package) override {
        s_.authenticated({"packageListUnblock", {tag, package}, {}});
    }

    std::int64_t kiwi_build(const KiwiBuild& b) override {
        Array arches(b.arches.begin(), b.arches.end());
        Struct kw;
        if (!b.optional_arches.empty()) {
            kw["optional_arches"] = Array(b.optional_arches.begin(), b.optional_arches.end());
        }
        if (!b.profile.empty()) {
            kw["profile"] = b.profile;
        }
        if (b.scratch) {
            kw["scratch"] = true;
        }
        if (!b.release.empty()) {
            kw["release"] = b.release;
        }
        Value v = s_.authenticated(
            {"kiwiBuild", {b.target, Value(std::move(arches)), b.description_url, b.description_path}, std::move(kw)});
        return s_.guard("kiwiBuild", [&] { return v.as_int(); });
    }

private:
    template <class Id>
    std::optional<Build> get_build(Id id) {
        Value v = s_.call({"getBuild", {Value(id)}, {}});
        return v.is_nil() ? std::nullopt : std::optional<Build>(s_.guard("getBuild", [&] { return build_from(v); }));
    }

    template <class T>
    std::vector<T> list(const std::string& method, Array params, Struct kw, T (*f)(const Value&)) {
        Value v = s_.call({method, std::move(params), std::move(kw)});
        return s_.guard(method, [&] { return list_from(v, f); });
    }

    template <class T>
    std::vector<std::vector<T>> many(const std::vector<Call>& calls, T (*f)(const Value&)) {
        return s_.multicall(calls, no_reading_in_place<std::vector<T>>,
                            [&](const Value& v) { return list_from(v, f); });
    }

    template <class R>
    static std::optional<std::vector<R>> no_reading_in_place(const xmlrpc::Response&) {
        return std::nullopt;
    }

    // The answers to `calls`, in multicalls of multicall_batch calls each.
    template <class F>
    auto in_rounds(const std::vector<Call>& calls, F multicall) -> decltype(multicall(calls)) {
        decltype(multicall(calls)) out;
        for (std::size_t start = 0; start < calls.size(); start += multicall_batch) {
            std::size_t end = std::min(calls.size(), start + multicall_batch);
            std::vector<Call> round(calls.begin() + static_cast<std::ptrdiff_t>(start),
                                    calls.begin() + static_cast<std::ptrdiff_t>(end));
            for (auto& answer : multicall(round)) {
                out.push_back(std::move(answer));
            }
        }
        return out;
    }

    Session s_;
    std::string topurl_;
};

}  // namespace

std::unique_ptr<Client> connect(const Config& config) {
    auto endpoint = services::endpoint(config, "koji", {"url", "topurl", "cert", "ca"});
    std::string topurl = endpoint.section.string_or("topurl", "");
    while (!topurl.empty() && topurl.back() == '/') {
        topurl.pop_back();
    }
    if (auto cert = endpoint.section.string("cert")) {
        endpoint.http.client_cert = services::config_path(config, *cert);
    }
    if (auto ca = endpoint.section.string("ca")) {
        endpoint.http.ca_bundle = services::config_path(config, *ca);
    }
    return std::make_unique<XmlRpcClient>(std::move(endpoint), std::move(topurl));
}

}  // namespace flr::koji
