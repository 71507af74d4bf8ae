#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace flow {

// Where the bytes of media objects live (a folder, an S3 bucket), by key. An object is
// written once, as a stream, and becomes readable only when committed; it is read back by
// byte range. Implementations block (disk, network): call them on the blocking pool.
// Thread-safe; a Writer is used by one thread at a time.
class MediaStore {
public:
    // One object being written. Destroyed without commit(), it leaves nothing behind.
    class Writer {
    public:
        virtual ~Writer() = default;
        // Appends bytes, in order; large objects never need to be held whole.
        virtual void write(std::string_view bytes) = 0;
        // Makes the object durable and readable under its key.
        virtual void commit() = 0;
    };

    virtual ~MediaStore() = default;

    virtual std::unique_ptr<Writer> create(const std::string& key) = 0;
    // Up to `length` bytes of the object from `offset` on (fewer at its end).
    virtual std::string read(const std::string& key, std::uint64_t offset, std::uint64_t length) = 0;
    virtual void remove(const std::string& key) = 0;
    // Whether the store answers; for /health.
    virtual bool ping() = 0;
    // A short name of the backend, for logs.
    virtual std::string backend() const = 0;
};

// Thrown by a store that failed (disk full, S3 unreachable or refusing): the request
// boundary answers it with a 5xx.
struct MediaStoreError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Thrown by read() when no committed object has the key (never written, or removed): the
// request boundary answers it with a 404. A MediaStoreError, so callers that catch that
// alone still catch it.
struct MediaNotFoundError : MediaStoreError {
    using MediaStoreError::MediaStoreError;
};

}  // namespace flow
