// Blobs: HEAD first and skip what is present; mount from a repository that holds the
// blob (always with `from`); otherwise upload, monolithically or in chunks, and after a
// failure carry on from the Range the registry reports instead of starting again.
#include "services/registry_impl.hpp"

#include "core/text.hpp"

#include <flr/error.hpp>
#include <flr/log.hpp>

#include <fmt/format.h>

#include <charconv>

namespace flr::registry {
namespace {

using Clock = std::chrono::steady_clock;

std::string with_digest(const std::string& location, const std::string& digest) {
    return location + (location.find('?') == std::string::npos ? "?" : "&") + "digest=" + text::percent_encode(digest);
}

// "0-1048575" -> 1048576, the bytes the registry holds ("0-0" counts as none).
std::optional<std::uint64_t> held(const std::string& range) {
    auto dash = range.find('-');
    if (dash == std::string::npos) {
        return std::nullopt;
    }
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    const char* b = range.data();
    if (std::from_chars(b, b + dash, first).ec != std::errc() ||
        std::from_chars(b + dash + 1, b + range.size(), last).ec != std::errc() || first != 0) {
        return std::nullopt;
    }
    return last == 0 ? 0 : last + 1;
}

// One blob's upload: the source stream, kept open across chunks, and the session.
class Upload {
public:
    Upload(Endpoint& endpoint, http::Session& session, Source& source, const BlobJob& job, BlobAction& action,
           const std::function<void(const ProgressEvent&)>& progress)
        : ep_(endpoint), s_(session), src_(source), job_(job), action_(action), progress_(progress) {}

    // POST: mount (true when mounted) or open an upload session.
    bool start(bool mount) {
        http::Transfer t;
        auto make = [&] {
            t = {};
            t.method = "POST";
            t.url = ep_.url(fmt::format("/v2/{}/blobs/uploads/", job_.repo));
            if (mount) {
                t.url += http::query({{"mount", job_.blob.digest}, {"from", job_.mount_from}});
            }
            t.headers.emplace_back("Content-Length", "0");
            return t;
        };
        auto out = ep_.send(s_, make, true, &action_.attempts);
        if (out.transport_ok() && out.response.status == 201 && mount) {
            return true;
        }
        if (!out.transport_ok() || out.response.status != 202 || out.response.header("location").empty()) {
            ep_.fail(s_, t, out);
        }
        location_ = http::resolve(t.url, out.response.header("location"));
        std::uint64_t min = 0;
        std::string m = out.response.header("oci-chunk-min-length");
        std::from_chars(m.data(), m.data() + m.size(), min);
        chunked_ = job_.blob.size > ep_.options().chunk_size || min > 0;
        chunk_ = std::max<std::uint64_t>({ep_.options().chunk_size, min, 1});
        offset_ = 0;
        return false;
    }

    void upload() {
        int failures = 0;
        for (;;) {
            http::Outcome out;
            bool last = false;
            http::Transfer t;
            if (!chunked_ || offset_ == job_.blob.size) {
                last = true;
                t = body(with_digest(location_, job_.blob.digest), "PUT", job_.blob.size - offset_);
            } else {
                std::uint64_t n = std::min(chunk_, job_.blob.size - offset_);
                t = body(location_, "PATCH", n);
                t.headers.emplace_back("Content-Range", fmt::format("{}-{}", offset_, offset_ + n - 1));
            }
            ep_.authorize(t);
            out = s_.perform(t);
            ++action_.attempts;
            action_.bytes_sent += out.sent;
            log::debug(fmt::format("{}: {}", s_.describe(t),
                                   out.transport_ok() ? std::to_string(out.response.status) : out.error));
            long status = out.transport_ok() ? out.response.status : 0;
            if (last && status == 201) {
                check_hash();
                return;
            }
            if (!last && status == 202) {
                location_ = http::resolve(location_, out.response.header("location"));
                auto have = held(out.response.header("range"));
                offset_ = have ? *have : offset_ + t.body_size;
                failures = 0;
                continue;
            }
            bool recoverable = out.transient() || status == 416 || status == 401;
            if (!recoverable || ++failures > ep_.options().retries) {
                ep_.fail(s_, t, out);
            }
            if (status != 416) {
                ep_.back_off(failures, out);
            }
            recover();
        }
    }

private:
    http::Transfer body(const std::string& url, const char* method, std::uint64_t n) {
        http::Transfer t;
        t.method = method;
        t.url = url;
        t.headers.emplace_back("Content-Type", "application/octet-stream");
        t.body_size = n;
        t.follow = false;
        if (stream_pos_ != offset_ || !stream_) {
            stream_ = src_.open(job_.blob, offset_);
            stream_pos_ = offset_;
            hashing_ = offset_ == 0;
            hash_ = std::make_unique<http::Sha256>();
        }
        auto remaining = std::make_shared<std::uint64_t>(n);
        t.reader = [this, remaining](char* out, std::size_t size) -> std::size_t {
            std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, *remaining));
            std::size_t got = 0;
            while (got < want) {
                std::size_t r = stream_->read(out + got, want - got);
                if (r == 0) {
                    throw Error(fmt::format("blob {} ends before its {} bytes", job_.blob.digest, job_.blob.size));
                }
                got += r;
            }
            if (hashing_) {
                hash_->update(out, got);
            }
            *remaining -= got;
            stream_pos_ += got;
            if (progress_) {
                progress_({job_.blob.digest, "upload", stream_pos_, job_.blob.size, false, 0});
            }
            return got;
        };
        return t;
    }

    // Ask where the upload stands; start a new one when the registry lost it.
    void recover() {
        http::Transfer t;
        auto make = [&] {
            t = {};
            t.url = location_;
            t.follow = false;
            return t;
        };
        auto out = ep_.send(s_, make, true, &action_.attempts);
        auto have =
            out.transport_ok() && out.response.status == 204 ? held(out.response.header("range")) : std::nullopt;
        if (!have || *have > job_.blob.size) {
            log::info(fmt::format("{}: the registry lost the upload; starting it again", job_.blob.digest));
            start(false);
            return;
        }
        if (!out.response.header("location").empty()) {
            location_ = http::resolve(location_, out.response.header("location"));
        }
        offset_ = *have;
        chunked_ = true;  // carry on from there in pieces
        log::info(fmt::format("{}: resuming at byte {} of {}", job_.blob.digest, offset_, job_.blob.size));
    }

    void check_hash() {
        if (hashing_ && stream_pos_ == job_.blob.size && "sha256:" + hash_->hex() != job_.blob.digest) {
            throw Error(fmt::format("the source's blob {} does not match its digest", job_.blob.digest));
        }
    }

    Endpoint& ep_;
    http::Session& s_;
    Source& src_;
    const BlobJob& job_;
    BlobAction& action_;
    const std::function<void(const ProgressEvent&)>& progress_;
    std::string location_;
    bool chunked_ = false;
    std::uint64_t chunk_ = 0;
    std::uint64_t offset_ = 0;
    std::unique_ptr<BlobStream> stream_;
    std::uint64_t stream_pos_ = 0;
    bool hashing_ = false;
    std::unique_ptr<http::Sha256> hash_;
};

}  // namespace

BlobAction transfer_blob(Endpoint& endpoint, http::Session& session, Source& source, const BlobJob& job,
                         const std::function<void(const ProgressEvent&)>& progress) {
    auto began = Clock::now();
    BlobAction a{job.blob.digest, job.blob.media_type, job.blob.size, "", "", 0, 0, 0};
    auto finish = [&](std::string what) {
        a.action = std::move(what);
        a.seconds = std::chrono::duration<double>(Clock::now() - began).count();
        if (progress) {
            progress({a.digest, a.action, a.size, a.size, true, a.seconds});
        }
        return a;
    };
    http::Transfer t;
    auto head = [&] {
        t = {};
        t.method = "HEAD";
        t.url = endpoint.url(fmt::format("/v2/{}/blobs/{}", job.repo, job.blob.digest));
        return t;
    };
    auto out = endpoint.send(session, head, true, &a.attempts);
    if (out.transport_ok() && out.response.status == 200) {
        return finish("exists");
    }
    if (!out.transport_ok() || out.response.status != 404) {
        endpoint.fail(session, t, out);
    }
    bool mount = !job.mount_from.empty() && job.mount_from != job.repo;
    if (endpoint.options().dry_run) {
        if (mount) {
            a.from = job.mount_from;
        }
        return finish(mount ? "would-mount" : "would-upload");
    }
    Upload upload(endpoint, session, source, job, a, progress);
    if (upload.start(mount)) {
        a.from = job.mount_from;
        return finish("mounted");
    }
    upload.upload();
    return finish("uploaded");
}

}  // namespace flr::registry
