// Koji hub over XML-RPC: builds, tags, package lists, archives and RPMs, and the one
// write flr needs (packageListUnblock), which logs in with a client certificate.
#pragma once

#include <flr/error.hpp>
#include <flr/export.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flr {
class Config;
}

namespace flr::koji {

// A Koji fault, typed: name is Koji's exception class ("GenericError", "AuthError",
// "ParameterError", ...; "Fault" for an unknown code). Exits 4 like every RemoteError.
class FLR_EXPORT Fault : public RemoteError {
public:
    Fault(std::int64_t code, std::string name, const std::string& message);
    std::int64_t code() const noexcept { return code_; }
    const std::string& name() const noexcept { return name_; }

private:
    std::int64_t code_;
    std::string name_;
};

enum class BuildState : int { building = 0, complete = 1, deleted = 2, failed = 3, canceled = 4 };

struct Build {
    std::int64_t id = 0;
    std::int64_t package_id = 0;
    std::string name;
    std::string version;
    std::string release;
    std::optional<std::int64_t> epoch;
    std::string nvr;
    BuildState state = BuildState::complete;
    std::string owner_name;
    std::string creation_time;
    std::string completion_time;
    std::optional<std::int64_t> task_id;
    std::string tag_name;                   // set by getLatestBuilds / listTagged
    std::optional<std::int64_t> tag_event;  // the event that tagged it (getLatestBuilds / listTagged)
    bool operator==(const Build&) const = default;
};

struct Tag {
    std::int64_t id = 0;
    std::string name;
    std::string arches;
    bool locked = false;
    bool blocked = false;  // from listTags(package=): whether that package is blocked there
};

// One entry of a tag's package list (listPackages).
struct PackageEntry {
    std::int64_t package_id = 0;
    std::string package_name;
    std::int64_t tag_id = 0;
    std::string tag_name;
    std::string owner_name;
    bool blocked = false;
    std::string extra_arches;
};

struct Archive {
    std::int64_t id = 0;
    std::int64_t build_id = 0;
    std::string filename;
    std::string type_name;
    std::string arch;  // image archives only
    std::int64_t size = 0;
    std::string checksum;
};

struct Rpm {
    std::int64_t id = 0;
    std::int64_t build_id = 0;
    std::string name;
    std::string version;
    std::string release;
    std::optional<std::int64_t> epoch;
    std::string arch;
    std::string nvr;
    bool operator==(const Rpm&) const = default;
};

// A task (getTaskInfo). state: 0 free, 1 open, 2 closed, 3 canceled, 4 assigned, 5 failed.
enum class TaskState : int { free = 0, open = 1, closed = 2, canceled = 3, assigned = 4, failed = 5 };

struct Task {
    std::int64_t id = 0;
    std::string method;
    TaskState state = TaskState::free;
    bool finished() const noexcept {
        return state == TaskState::closed || state == TaskState::canceled || state == TaskState::failed;
    }
};

// kiwiBuild's arguments (Koji's KIWI plugin); empty/unset ones are not sent.
struct KiwiBuild {
    std::string target;
    std::vector<std::string> arches;
    std::string description_url;
    std::string description_path;
    std::vector<std::string> optional_arches;
    std::string profile;
    bool scratch = false;
    std::string release;
};

struct TaggedQuery {
    bool inherit = false;
    bool latest = false;
    std::string package;  // "" for all
    std::string type;     // "rpm", "image", ... "" for all
};

struct PackageQuery {
    std::string tag;      // name (or decimal id)
    std::string package;  // "" for every package
    bool inherited = true;
    bool with_blocked = true;
};

class FLR_EXPORT Client {
public:
    virtual ~Client();

    // nullopt when no such build.
    virtual std::optional<Build> build(const std::string& nvr) = 0;
    virtual std::optional<Build> build(std::int64_t id) = 0;
    virtual std::vector<Build> latest_builds(const std::string& tag, const std::string& package = {},
                                             const std::string& type = {}) = 0;
    virtual std::vector<Build> tagged(const std::string& tag, const TaggedQuery& query) = 0;
    virtual std::vector<PackageEntry> packages(const PackageQuery& query) = 0;
    // nullopt when no such tag.
    virtual std::optional<Tag> tag(const std::string& name) = 0;
    // Tags that list `package` ("" for every tag), with its blocked state.
    virtual std::vector<Tag> tags(const std::string& package) = 0;
    virtual std::vector<Archive> archives(std::int64_t build_id, const std::string& type = {}) = 0;
    virtual std::vector<Rpm> build_rpms(std::int64_t build_id) = 0;
    virtual std::vector<Rpm> image_rpms(std::int64_t archive_id) = 0;

    // Bulk queries in one multicall round trip; results in the order asked.
    virtual std::vector<std::vector<PackageEntry>> packages_many(const std::vector<PackageQuery>& queries) = 0;
    virtual std::vector<std::vector<Rpm>> image_rpms_many(const std::vector<std::int64_t>& archive_ids) = 0;
    // getBuild for each id; nullopt where there is no such build.
    virtual std::vector<std::optional<Build>> builds_many(const std::vector<std::int64_t>& build_ids) = 0;
    // getLatestBuilds(tag, package=p) for each package (with inheritance), in the order asked.
    virtual std::vector<std::vector<Build>> latest_builds_many(const std::string& tag,
                                                               const std::vector<std::string>& packages) = 0;
    // nullopt when no such task.
    virtual std::optional<Task> task(std::int64_t id) = 0;
    // Koji's topurl (flr.yaml `koji.topurl`), without a trailing slash; "" when unset.
    virtual std::string topurl() const = 0;

    // Unblock `package` in `tag` (logs in first). Throws Fault when Koji refuses.
    virtual void unblock(const std::string& tag, const std::string& package) = 0;
    // Submit an image build through the KIWI plugin (logs in first; needs the `image`
    // permission). Returns the task id.
    virtual std::int64_t kiwi_build(const KiwiBuild& build) = 0;
};

// From flr.yaml(5) `koji:` {url, topurl, cert (PEM with key, for writes), ca} and the http settings.
FLR_EXPORT std::unique_ptr<Client> connect(const Config& config);

}  // namespace flr::koji
