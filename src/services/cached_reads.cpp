#include "services/cached_reads.h"

#include "cache/codec.h"
#include "store/transaction.h"
#include "store/user_repository.h"

namespace oeuvre::services {

namespace {

using cache::Decoder;
using cache::Encoder;
using cache::Kind;

// The value of `key` through the cache: `load` on a miss (its value is not decoded again), else the
// cached bytes decoded. A value this build cannot decode (another version's, or damaged in Redis)
// is dropped everywhere and loaded afresh.
template <class T, class Load, class Encode, class Decode>
Result<T> read_through(cache::Cache* cache, Kind kind, const std::string& key, const Load& load,
                       const Encode& encode, const Decode& decode) {
  if (cache == nullptr) return load();
  std::optional<T> loaded;
  Result<std::string> bytes = cache->get_or_load(kind, key, [&]() -> Result<std::string> {
    ASSIGN_OR_RETURN(T value, load());
    std::string encoded = encode(value);
    loaded = std::move(value);
    return encoded;
  });
  if (!bytes.ok()) return std::move(bytes).error();
  if (loaded) return std::move(*loaded);
  Decoder in(*bytes);
  T value = decode(in);
  if (in.finished()) return value;
  cache->invalidate(kind, {key});
  return load();
}

template <class Enum>
void put_enum(Encoder& out, Enum value) {
  out.text(to_string(value));
}

template <class Enum, class Parse>
Enum get_enum(Decoder& in, Parse parse) {
  const std::optional<Enum> value = parse(in.text());
  if (!value) in.fail();
  return value.value_or(Enum{});
}

void encode_project(Encoder& out, const store::Project& p) {
  out.uuid(p.id).uuid(p.owner_id).text(p.name).text(p.description);
  put_enum(out, p.status);
  out.boolean(p.is_active).integer(p.version).time(p.created_at).time(p.updated_at);
}

store::Project decode_project(Decoder& in) {
  store::Project p;
  p.id = in.uuid();
  p.owner_id = in.uuid();
  p.name = in.text();
  p.description = in.text();
  p.status = get_enum<ProjectStatus>(in, parse_project_status);
  p.is_active = in.boolean();
  p.version = in.integer();
  p.created_at = in.time();
  p.updated_at = in.time();
  return p;
}

void encode_data_source(Encoder& out, const store::DataSource& d) {
  out.uuid(d.id).uuid(d.project_id).text(d.name).text(d.kind).text(d.column_mapping);
  put_enum(out, d.status);
  out.boolean(d.is_active).integer(d.version).time(d.created_at).time(d.updated_at);
}

store::DataSource decode_data_source(Decoder& in) {
  store::DataSource d;
  d.id = in.uuid();
  d.project_id = in.uuid();
  d.name = in.text();
  d.kind = in.text();
  d.column_mapping = in.text();
  d.status = get_enum<DataSourceStatus>(in, parse_data_source_status);
  d.is_active = in.boolean();
  d.version = in.integer();
  d.created_at = in.time();
  d.updated_at = in.time();
  return d;
}

void encode_job(Encoder& out, const store::ScopedJob& scoped) {
  const store::Job& j = scoped.job;
  out.uuid(scoped.project_owner_id).uuid(j.id).uuid(j.project_id).text(j.name);
  out.uuid(j.left_data_source_id).uuid(j.right_data_source_id).text(j.rules);
  out.real(j.confidence_threshold).real(j.review_threshold).boolean(j.auto_confirm);
  put_enum(out, j.status);
  out.text(j.phase).real(j.progress).integer(j.records_total).integer(j.records_processed);
  out.text(j.counters).text(j.applied_rules).optional(j.error, &Encoder::text).integer(j.attempts);
  out.optional(j.worker, &Encoder::text).optional(j.heartbeat_at, &Encoder::time).boolean(j.cancel_requested);
  out.optional(j.rerun_of, &Encoder::uuid).optional(j.created_by, &Encoder::uuid).time(j.created_at);
  out.optional(j.started_at, &Encoder::time).optional(j.finished_at, &Encoder::time).time(j.updated_at);
  out.optional(j.request_id, &Encoder::text).optional(j.trace_id, &Encoder::text);
}

store::ScopedJob decode_job(Decoder& in) {
  store::ScopedJob scoped;
  store::Job& j = scoped.job;
  scoped.project_owner_id = in.uuid();
  j.id = in.uuid();
  j.project_id = in.uuid();
  j.name = in.text();
  j.left_data_source_id = in.uuid();
  j.right_data_source_id = in.uuid();
  j.rules = in.text();
  j.confidence_threshold = in.real();
  j.review_threshold = in.real();
  j.auto_confirm = in.boolean();
  j.status = get_enum<JobStatus>(in, parse_job_status);
  j.phase = in.text();
  j.progress = in.real();
  j.records_total = in.integer();
  j.records_processed = in.integer();
  j.counters = in.text();
  j.applied_rules = in.text();
  j.error = in.optional<std::string>(&Decoder::text);
  j.attempts = in.integer();
  j.worker = in.optional<std::string>(&Decoder::text);
  j.heartbeat_at = in.optional<Timestamp>(&Decoder::time);
  j.cancel_requested = in.boolean();
  j.rerun_of = in.optional<Uuid>(&Decoder::uuid);
  j.created_by = in.optional<Uuid>(&Decoder::uuid);
  j.created_at = in.time();
  j.started_at = in.optional<Timestamp>(&Decoder::time);
  j.finished_at = in.optional<Timestamp>(&Decoder::time);
  j.updated_at = in.time();
  j.request_id = in.optional<std::string>(&Decoder::text);
  j.trace_id = in.optional<std::string>(&Decoder::text);
  return scoped;
}

template <class T, class EncodeItem>
std::string encode_page(const PageResult<T>& page, const EncodeItem& encode_item) {
  Encoder out;
  out.integer(page.total).integer(static_cast<std::int64_t>(page.items.size()));
  for (const T& item : page.items) encode_item(out, item);
  return out.take();
}

template <class T, class DecodeItem>
PageResult<T> decode_page(Decoder& in, const DecodeItem& decode_item) {
  PageResult<T> page;
  page.total = in.integer();
  const std::int64_t count = in.integer();
  // Each item takes more than 16 bytes: a count beyond what is left is malformed, not an
  // allocation.
  for (std::int64_t i = 0; i < count && in.ok(); ++i) page.items.push_back(decode_item(in));
  return page;
}

// Lists are cached only for filters whose text is safe in a key (kinds are short lowercase names).
bool key_safe(std::string_view text) {
  if (text.size() > 64) return false;
  for (const char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

std::string page_suffix(const PageRequest& page) {
  return std::to_string(page.page) + ":" + std::to_string(page.per_page);
}

}  // namespace

Result<std::optional<AuthUser>> CachedReads::auth_user(const Uuid& id) {
  // A missing user is an error to the cache (not cached), an empty optional to the caller.
  auto load = [&]() -> Result<AuthUser> {
    ASSIGN_OR_RETURN(std::optional<store::User> user,
                     store::with_connection(db_, [&](store::Connection& conn) {
                       return store::UserRepository::find_by_id(conn, id);
                     }));
    if (!user) return Error::NotFound("user not found");
    return AuthUser{user->id, user->role, user->is_active, user->token_version};
  };
  Result<AuthUser> user = read_through<AuthUser>(
      cache_, Kind::kUsers, id.to_string(), load,
      [](const AuthUser& u) {
        Encoder out;
        out.uuid(u.id);
        put_enum(out, u.role);
        out.boolean(u.is_active).integer(u.token_version);
        return out.take();
      },
      [](Decoder& in) {
        AuthUser u;
        u.id = in.uuid();
        u.role = get_enum<Role>(in, parse_role);
        u.is_active = in.boolean();
        u.token_version = in.integer();
        return u;
      });
  if (!user.ok()) {
    if (user.error().code() == ErrorCode::kNotFound) return std::optional<AuthUser>();
    return std::move(user).error();
  }
  return std::optional<AuthUser>(std::move(*user));
}

void CachedReads::user_changed(const Uuid& id) {
  if (cache_) cache_->invalidate(Kind::kUsers, {id.to_string()});
}

Result<store::Project> CachedReads::active_project(const Uuid& id, store::Connection* conn,
                                                   const std::string& what) {
  auto find = [&](store::Connection& c) -> Result<store::Project> {
    ASSIGN_OR_RETURN(std::optional<store::Project> project,
                     store::ProjectRepository::find_active(c, id));
    if (!project) return Error::NotFound(what + " not found");
    return std::move(*project);
  };
  auto load = [&]() -> Result<store::Project> {
    if (conn != nullptr) return find(*conn);
    return store::with_connection(db_, find);
  };
  Result<store::Project> project = read_through<store::Project>(
      cache_, Kind::kProjects, id.to_string(), load,
      [](const store::Project& p) {
        Encoder out;
        encode_project(out, p);
        return out.take();
      },
      decode_project);
  // A load's error names what its first caller asked for: every caller gets its own word.
  if (!project.ok() && project.error().code() == ErrorCode::kNotFound)
    return Error::NotFound(what + " not found");
  return project;
}

Result<store::Project> CachedReads::require_project(const security::Actor& actor, const Uuid& id,
                                                    store::Connection* conn,
                                                    const std::string& what) {
  ASSIGN_OR_RETURN(store::Project project, active_project(id, conn, what));
  RETURN_IF_ERROR(security::require_project_access(actor, project.owner_id, what));
  return project;
}

Result<PageResult<store::Project>> CachedReads::project_page(const store::ProjectFilter& filter,
                                                             const PageRequest& page) {
  auto load = [&]() {
    return store::with_connection(db_, [&](store::Connection& conn) {
      return store::ProjectRepository::list(conn, filter, page);
    });
  };
  const std::string key =
      (filter.owner_id ? filter.owner_id->to_string() : std::string("all")) + ":" +
      (filter.status ? std::string(to_string(*filter.status)) : std::string("any")) + ":" +
      page_suffix(page);
  return read_through<PageResult<store::Project>>(
      cache_, Kind::kProjectLists, key, load,
      [](const PageResult<store::Project>& p) { return encode_page(p, encode_project); },
      [](Decoder& in) { return decode_page<store::Project>(in, decode_project); });
}

void CachedReads::project_changed(const Uuid& project_id, const Uuid& owner_id) {
  if (!cache_) return;
  cache_->invalidate(Kind::kProjects, {project_id.to_string()});
  cache_->invalidate_prefix(Kind::kProjectLists, owner_id.to_string() + ":");
  cache_->invalidate_prefix(Kind::kProjectLists, "all:");
  cache_->invalidate(Kind::kProjectStats, {project_id.to_string()});
}

Result<store::DataSource> CachedReads::accessible_data_source(const security::Actor& actor,
                                                              const Uuid& id) {
  auto load = [&]() -> Result<store::ScopedDataSource> {
    ASSIGN_OR_RETURN(std::optional<store::ScopedDataSource> found,
                     store::with_connection(db_, [&](store::Connection& conn) {
                       return store::DataSourceRepository::find_visible(conn, id);
                     }));
    if (!found) return Error::NotFound("data source not found");
    return std::move(*found);
  };
  ASSIGN_OR_RETURN(store::ScopedDataSource found,
                   read_through<store::ScopedDataSource>(
                       cache_, Kind::kDataSources, id.to_string(), load,
                       [](const store::ScopedDataSource& s) {
                         Encoder out;
                         encode_data_source(out, s.data_source);
                         out.uuid(s.project_owner_id);
                         return out.take();
                       },
                       [](Decoder& in) {
                         store::ScopedDataSource s;
                         s.data_source = decode_data_source(in);
                         s.project_owner_id = in.uuid();
                         return s;
                       }));
  // "Visible" includes its project being active: the cached row does not know of a later deletion
  // of the project, the project's own (cached) entry does.
  if (cache_) RETURN_IF_ERROR(active_project(found.data_source.project_id, nullptr, "data source"));
  RETURN_IF_ERROR(security::require_project_access(actor, found.project_owner_id, "data source"));
  return std::move(found.data_source);
}

Result<PageResult<store::DataSource>> CachedReads::data_source_page(
    const store::DataSourceFilter& filter, const PageRequest& page) {
  auto load = [&]() {
    return store::with_connection(db_, [&](store::Connection& conn) {
      return store::DataSourceRepository::list(conn, filter, page);
    });
  };
  if (filter.kind && !key_safe(*filter.kind)) return load();
  const std::string key =
      filter.project_id.to_string() + ":" + filter.kind.value_or("*") + ":" + page_suffix(page);
  return read_through<PageResult<store::DataSource>>(
      cache_, Kind::kDataSourceLists, key, load,
      [](const PageResult<store::DataSource>& p) { return encode_page(p, encode_data_source); },
      [](Decoder& in) { return decode_page<store::DataSource>(in, decode_data_source); });
}

void CachedReads::data_source_changed(const Uuid& data_source_id, const Uuid& project_id) {
  if (!cache_) return;
  cache_->invalidate(Kind::kDataSources, {data_source_id.to_string()});
  cache_->invalidate_prefix(Kind::kDataSourceLists, project_id.to_string() + ":");
  cache_->invalidate(Kind::kProjectStats, {project_id.to_string()});
}

Result<std::string> CachedReads::project_stats(
    const Uuid& project_id, const std::function<Result<std::string>()>& compute) {
  if (!cache_) return compute();
  return cache_->get_or_load(Kind::kProjectStats, project_id.to_string(), compute);
}

void CachedReads::project_data_changed(const Uuid& project_id) {
  if (cache_) cache_->invalidate(Kind::kProjectStats, {project_id.to_string()});
}

Result<store::Job> CachedReads::accessible_job(const security::Actor& actor, const Uuid& id) {
  const std::string key = id.to_string();
  std::optional<store::ScopedJob> found;
  if (cache_) {
    if (std::optional<std::string> bytes = cache_->get(Kind::kJobs, key)) {
      Decoder in(*bytes);
      store::ScopedJob cached = decode_job(in);
      if (in.finished()) {
        found = std::move(cached);
      } else {
        cache_->invalidate(Kind::kJobs, {key});
      }
    }
  }
  if (found) {
    // The cached row does not know of a later deletion of its project; the project's entry does.
    RETURN_IF_ERROR(active_project(found->job.project_id, nullptr, "job"));
  } else {
    ASSIGN_OR_RETURN(std::optional<store::ScopedJob> loaded, store::with_connection(db_, [&](store::Connection& conn) {
                       return store::JobRepository::find_visible(conn, id);
                     }));
    if (!loaded) return Error::NotFound("job not found");
    found = std::move(loaded);
    if (cache_ && found->job.ended()) {
      Encoder out;
      encode_job(out, *found);
      cache_->put(Kind::kJobs, key, out.take());
    }
  }
  RETURN_IF_ERROR(security::require_project_access(actor, found->project_owner_id, "job"));
  return std::move(found->job);
}

Result<std::string> CachedReads::job_summary(const store::Job& job,
                                             const std::function<Result<std::string>()>& compute) {
  if (!cache_ || !job.ended()) return compute();
  return cache_->get_or_load(Kind::kJobSummaries, job.id.to_string(), compute);
}

void CachedReads::job_changed(const Uuid& job_id) {
  if (!cache_) return;
  cache_->invalidate(Kind::kJobs, {job_id.to_string()});
  cache_->invalidate(Kind::kJobSummaries, {job_id.to_string()});
}

}  // namespace oeuvre::services
