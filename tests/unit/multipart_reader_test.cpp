#include "http/multipart_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace flow::http {
namespace {

constexpr std::string_view kBoundary = "XyZ-boundary-123";

// A multipart/form-data body with the parts given as (name, content); the wanted part
// gets a filename and a Content-Type like a browser would send.
std::string form(const std::vector<std::pair<std::string, std::string>>& parts,
                 std::string_view boundary = kBoundary) {
    std::string body;
    for (const auto& [name, content] : parts) {
        body += "--" + std::string(boundary) + "\r\n";
        if (name == "file") {
            body += "Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n";
            body += "Content-Type: application/octet-stream\r\n";
        } else {
            body += "Content-Disposition: form-data; name=\"" + name + "\"\r\n";
        }
        body += "\r\n" + content + "\r\n";
    }
    body += "--" + std::string(boundary) + "--\r\n";
    return body;
}

struct Outcome {
    Status fed = Ok{};       // the first error feed() gave, if any
    Status finished = Ok{};  // finish(), when every feed() succeeded
    std::string file;        // what the sink received
    int sink_calls = 0;

    bool ok() const { return fed.ok() && finished.ok(); }
    std::string code() const {
        if (!fed) return fed.error().code;
        if (!finished) return finished.error().code;
        return "";
    }
};

// Feeds `body` in pieces of `chunk` bytes (0: all at once), then finishes.
Outcome run(std::string_view body, std::size_t chunk = 0, std::string_view boundary = kBoundary) {
    Outcome out;
    MultipartReader reader(std::string(boundary), "file", [&](std::string_view bytes) -> Status {
        ++out.sink_calls;
        out.file.append(bytes);
        return Ok{};
    });
    const std::size_t step = chunk == 0 ? std::max<std::size_t>(body.size(), 1) : chunk;
    for (std::size_t at = 0; at < body.size(); at += step) {
        out.fed = reader.feed(body.substr(at, step));
        if (!out.fed) return out;
    }
    out.finished = reader.finish();
    return out;
}

// Every split of the body into two pieces, and one byte at a time, gives `expected`.
void expect_file_whatever_the_split(const std::string& body, const std::string& expected) {
    const auto whole = run(body);
    ASSERT_TRUE(whole.ok()) << whole.code();
    EXPECT_EQ(whole.file, expected);
    const auto bytewise = run(body, 1);
    ASSERT_TRUE(bytewise.ok()) << bytewise.code();
    EXPECT_EQ(bytewise.file, expected);
    for (std::size_t cut = 1; cut < body.size(); ++cut) {
        Outcome out;
        MultipartReader reader(std::string(kBoundary), "file", [&](std::string_view bytes) -> Status {
            out.file.append(bytes);
            return Ok{};
        });
        auto first = reader.feed(std::string_view(body).substr(0, cut));
        ASSERT_TRUE(first) << "cut at " << cut << ": " << first.error().message;
        auto second = reader.feed(std::string_view(body).substr(cut));
        ASSERT_TRUE(second) << "cut at " << cut << ": " << second.error().message;
        auto done = reader.finish();
        ASSERT_TRUE(done) << "cut at " << cut << ": " << done.error().message;
        EXPECT_EQ(out.file, expected) << "cut at " << cut;
    }
}

// ---------------------------------------------------------------------------------
// The boundary from the Content-Type
// ---------------------------------------------------------------------------------

TEST(MultipartBoundary, Unquoted) {
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc123"), "abc123");
    EXPECT_EQ(multipart_boundary("multipart/form-data;boundary=abc123"), "abc123");
    // curl's and browsers' shapes.
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=------------------------d74496d66958873e"),
              "------------------------d74496d66958873e");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"),
              "----WebKitFormBoundary7MA4YWxkTrZu0gW");
}

TEST(MultipartBoundary, Quoted) {
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"abc 123\""), "abc 123");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"a;b\"; charset=utf-8"), "a;b");
}

TEST(MultipartBoundary, OtherParametersAroundIt) {
    EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8; boundary=abc"), "abc");
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc; charset=utf-8"), "abc");
}

TEST(MultipartBoundary, CaseInsensitiveTypeAndKey) {
    EXPECT_EQ(multipart_boundary("Multipart/Form-Data; Boundary=AbC"), "AbC");
}

TEST(MultipartBoundary, MissingOrEmptyOrTooLong) {
    EXPECT_EQ(multipart_boundary("multipart/form-data"), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8"), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary="), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"\""), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'a')), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + std::string(70, 'a')), std::string(70, 'a'));
}

TEST(MultipartBoundary, NotFormData) {
    EXPECT_EQ(multipart_boundary(""), std::nullopt);
    EXPECT_EQ(multipart_boundary("application/octet-stream"), std::nullopt);
    EXPECT_EQ(multipart_boundary("text/plain; boundary=abc"), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/mixed; boundary=abc"), std::nullopt);
}

TEST(MultipartBoundary, ParameterNameMustStandAlone) {
    // `xboundary=` is not `boundary=`.
    EXPECT_EQ(multipart_boundary("multipart/form-data; xboundary=abc"), std::nullopt);
    EXPECT_EQ(multipart_boundary("multipart/form-data; xboundary=abc; boundary=def"), "def");
}

// ---------------------------------------------------------------------------------
// Reading the body
// ---------------------------------------------------------------------------------

TEST(MultipartReader, SingleFilePart) {
    const auto out = run(form({{"file", "hello, world"}}));
    ASSERT_TRUE(out.ok()) << out.code();
    EXPECT_EQ(out.file, "hello, world");
}

TEST(MultipartReader, WholeAndByteAtATimeAndEverySplitGiveTheSameBytes) {
    std::string content;
    for (int i = 0; i < 300; ++i) content += static_cast<char>((i * 37) % 256);
    expect_file_whatever_the_split(form({{"caption", "a cat"}, {"file", content}, {"other", "x"}}), content);
}

TEST(MultipartReader, ChunkSizesAroundTheDelimiterLength) {
    const std::string content(5000, 'q');
    const auto body = form({{"file", content}});
    for (std::size_t chunk : {1, 2, 3, 7, 19, 20, 21, 22, 64, 1000, 4096}) {
        const auto out = run(body, chunk);
        ASSERT_TRUE(out.ok()) << "chunk " << chunk << ": " << out.code();
        EXPECT_EQ(out.file, content) << "chunk " << chunk;
    }
}

TEST(MultipartReader, OtherPartsAreSkipped) {
    const auto out = run(form({{"before", "not me"}, {"file", "the file"}, {"after", "nor me"}}));
    ASSERT_TRUE(out.ok()) << out.code();
    EXPECT_EQ(out.file, "the file");
}

TEST(MultipartReader, OnlyTheFirstPartOfThatNameIsTaken) {
    const auto out = run(form({{"file", "first"}, {"file", "second"}}));
    ASSERT_TRUE(out.ok()) << out.code();
    EXPECT_EQ(out.file, "first");
}

TEST(MultipartReader, PartNameIsMatchedExactly) {
    // `filename="file"` and a part named `file2` are not the `file` part.
    std::string body;
    body += "--" + std::string(kBoundary) + "\r\n";
    body += "Content-Disposition: form-data; name=\"file2\"; filename=\"file\"\r\n\r\nnope\r\n";
    body += "--" + std::string(kBoundary) + "\r\n";
    body += "Content-Disposition: form-data; filename=\"x.txt\"; name=\"file\"\r\n\r\nyes\r\n";
    body += "--" + std::string(kBoundary) + "--\r\n";
    const auto out = run(body);
    ASSERT_TRUE(out.ok()) << out.code();
    EXPECT_EQ(out.file, "yes");
}

TEST(MultipartReader, UnquotedNameAndHeaderCase) {
    std::string body;
    body += "--" + std::string(kBoundary) + "\r\n";
    body += "content-disposition: form-data; name=file\r\n\r\nplain\r\n";
    body += "--" + std::string(kBoundary) + "--";
    const auto out = run(body);
    ASSERT_TRUE(out.ok()) << out.code();
    EXPECT_EQ(out.file, "plain");
}

TEST(MultipartReader, EmptyFilePart) {
    const auto out = run(form({{"file", ""}}));
    ASSERT_TRUE(out.ok()) << out.code();
    EXPECT_EQ(out.file, "");
}

TEST(MultipartReader, FileContainingBoundaryLikeBytes) {
    const std::string b(kBoundary);
    // The boundary not at a line start, a line starting with a prefix of the delimiter,
    // "--" + boundary without the CRLF before it, and CRLFs of all sorts.
    // (The full delimiter, CRLF "--" boundary, cannot be content: RFC 2046 says so.)
    const std::string content = "a--" + b + "b\r\n--" + b.substr(0, b.size() - 1) + "Q\r\n-\r\n--\r\nx--" + b +
                                "\r\r\n\n--" + b.substr(0, 4) + "\r\n\r\n" + "\r--" + b + "\n--" + b + "\r\n-";
    ASSERT_EQ(content.find("\r\n--" + b), std::string::npos);
    expect_file_whatever_the_split(form({{"file", content}}), content);
}

TEST(MultipartReader, BinaryContentWithNulsAndCrlfs) {
    std::string content;
    for (int i = 0; i < 256; ++i) content += static_cast<char>(i);
    content += std::string("\0\r\n\0\r\n--", 8);
    content += "\r\n";
    expect_file_whatever_the_split(form({{"file", content}}), content);
}

TEST(MultipartReader, TheCrlfBeforeTheDelimiterIsNotContent) {
    // The file is "x\r\n": its own CRLF stays, the one before the delimiter goes.
    const auto out = run(form({{"file", "x\r\n"}}));
    ASSERT_TRUE(out.ok()) << out.code();
    EXPECT_EQ(out.file, "x\r\n");
}

TEST(MultipartReader, PreambleAndEpilogueIgnored) {
    const auto body = "This is a preamble.\r\n" + form({{"file", "data"}}) + "an epilogue\r\nwith lines";
    const auto out = run(body);
    ASSERT_TRUE(out.ok()) << out.code();
    EXPECT_EQ(out.file, "data");
    const auto bytewise = run(body, 1);
    ASSERT_TRUE(bytewise.ok()) << bytewise.code();
    EXPECT_EQ(bytewise.file, "data");
}

TEST(MultipartReader, ClosingBoundaryWithoutTrailingCrlf) {
    auto body = form({{"file", "data"}});
    body.resize(body.size() - 2);  // "...--boundary--"
    const auto out = run(body);
    ASSERT_TRUE(out.ok()) << out.code();
    EXPECT_EQ(out.file, "data");
}

TEST(MultipartReader, BoundaryLineMustEndWithCrlf) {
    std::string body = "--" + std::string(kBoundary) + "junk\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n";
    body += "data\r\n--" + std::string(kBoundary) + "--\r\n";
    const auto out = run(body);
    EXPECT_FALSE(out.ok());
    EXPECT_EQ(out.code(), "invalid_multipart");
}

TEST(MultipartReader, BareLfLineEndsAreNotDelimiters) {
    // LF-only line ends: the delimiter is never found, so the body is malformed.
    std::string body = "--" + std::string(kBoundary) + "\nContent-Disposition: form-data; name=\"file\"\n\n";
    body += "data\n--" + std::string(kBoundary) + "--\n";
    const auto out = run(body);
    EXPECT_FALSE(out.ok());
    EXPECT_EQ(out.code(), "invalid_multipart");
}

TEST(MultipartReader, MissingClosingBoundary) {
    auto body = form({{"file", "data"}});
    body.resize(body.size() - (std::string(kBoundary).size() + 6));  // drop "--boundary--\r\n"
    for (std::size_t chunk : {0, 1}) {
        const auto out = run(body, chunk);
        EXPECT_FALSE(out.ok()) << "chunk " << chunk;
        EXPECT_EQ(out.code(), "invalid_multipart") << "chunk " << chunk;
    }
}

TEST(MultipartReader, TruncatedInsideTheHeaders) {
    const std::string body = "--" + std::string(kBoundary) + "\r\nContent-Disposition: form-data; na";
    const auto out = run(body);
    EXPECT_FALSE(out.ok());
    EXPECT_EQ(out.code(), "invalid_multipart");
}

TEST(MultipartReader, NoBoundaryAtAll) {
    const auto out = run("just some bytes, not a form");
    EXPECT_FALSE(out.ok());
    EXPECT_EQ(out.code(), "invalid_multipart");
    EXPECT_EQ(out.sink_calls, 0);
}

TEST(MultipartReader, EmptyBody) {
    const auto out = run("");
    EXPECT_FALSE(out.ok());
    EXPECT_EQ(out.code(), "invalid_multipart");
}

TEST(MultipartReader, WrongBoundary) {
    const auto out = run(form({{"file", "data"}}, "other-boundary"));
    EXPECT_FALSE(out.ok());
    EXPECT_EQ(out.code(), "invalid_multipart");
    EXPECT_EQ(out.file, "");
}

TEST(MultipartReader, LongPreambleWithoutBoundaryIsRefusedEarly) {
    // More than the header limit without a boundary: refused while feeding, not at the end.
    MultipartReader reader(std::string(kBoundary), "file", [](std::string_view) -> Status { return Ok{}; });
    const std::string junk(4096, 'j');
    Status status = Ok{};
    for (int i = 0; i < 4 && status; ++i) status = reader.feed(junk);
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code, "invalid_multipart");
}

TEST(MultipartReader, OverlongPartHeadersAreRefused) {
    std::string body = "--" + std::string(kBoundary) + "\r\nContent-Disposition: form-data; name=\"file\"\r\n";
    body += "X-Padding: " + std::string(9000, 'p') + "\r\n\r\ndata\r\n--" + std::string(kBoundary) + "--\r\n";
    const auto out = run(body, 1);
    EXPECT_FALSE(out.ok());
    EXPECT_EQ(out.code(), "invalid_multipart");
}

TEST(MultipartReader, PartWithoutContentDispositionIsMalformed) {
    std::string body = "--" + std::string(kBoundary) + "\r\nContent-Type: text/plain\r\n\r\ndata\r\n";
    body += "--" + std::string(kBoundary) + "--\r\n";
    const auto out = run(body);
    EXPECT_FALSE(out.ok());
    EXPECT_EQ(out.code(), "invalid_multipart");
}

TEST(MultipartReader, PartWithNoHeadersIsMalformedHoweverFed) {
    // A part with no header lines has no Content-Disposition name. Its content must not be
    // read as headers, even when it looks like one, and whole or bytewise must agree.
    std::string body = "--" + std::string(kBoundary) + "\r\n\r\n";
    body += "Content-Disposition: form-data; name=\"file\"\r\n\r\nsmuggled\r\n";
    body += "--" + std::string(kBoundary) + "--\r\n";
    const auto whole = run(body);
    const auto bytewise = run(body, 1);
    EXPECT_EQ(whole.code(), "invalid_multipart") << "whole body; file got: " << whole.file;
    EXPECT_EQ(bytewise.code(), "invalid_multipart") << "bytewise; file got: " << bytewise.file;
    EXPECT_EQ(whole.file, bytewise.file);
}

TEST(MultipartReader, NoFilePartIsMissingField) {
    for (std::size_t chunk : {0, 1}) {
        const auto out = run(form({{"caption", "hi"}, {"files", "not it"}}), chunk);
        EXPECT_FALSE(out.ok()) << "chunk " << chunk;
        EXPECT_EQ(out.code(), "missing_field") << "chunk " << chunk;
        EXPECT_EQ(out.file, "");
    }
}

TEST(MultipartReader, OnlyAClosingBoundaryIsMissingField) {
    const auto out = run("--" + std::string(kBoundary) + "--\r\n");
    EXPECT_FALSE(out.ok());
    EXPECT_EQ(out.code(), "missing_field");
}

TEST(MultipartReader, SinkErrorStopsIt) {
    const std::string content(10000, 'z');
    const auto body = form({{"file", content}, {"after", "x"}});
    for (std::size_t chunk : {0, 1, 100}) {
        int calls = 0;
        int refused_at_call = 0;
        std::size_t received = 0;
        MultipartReader reader(std::string(kBoundary), "file", [&](std::string_view bytes) -> Status {
            ++calls;
            received += bytes.size();
            if (received > 100) {
                if (refused_at_call == 0) refused_at_call = calls;
                return Error{ErrorKind::too_large, "too_large", "over the cap", {}};
            }
            return Ok{};
        });
        const std::size_t step = chunk == 0 ? body.size() : chunk;
        Status status = Ok{};
        std::size_t at = 0;
        for (; at < body.size(); at += step) {
            status = reader.feed(std::string_view(body).substr(at, step));
            if (!status) break;
        }
        // The feed in which the sink first refused returns its error, unchanged, and the
        // sink is not called again within it.
        ASSERT_FALSE(status) << "chunk " << chunk;
        EXPECT_EQ(status.error().code, "too_large") << "chunk " << chunk;
        EXPECT_EQ(status.error().kind, ErrorKind::too_large);
        EXPECT_EQ(calls, refused_at_call) << "chunk " << chunk;
        EXPECT_LT(at, body.size()) << "chunk " << chunk;
    }
}

TEST(MultipartReader, SinkNotCalledForSkippedParts) {
    int calls = 0;
    MultipartReader reader(std::string(kBoundary), "file", [&](std::string_view) -> Status {
        ++calls;
        return Error::invalid("nope", "the sink refuses everything");
    });
    const auto body = form({{"a", std::string(3000, 'a')}, {"b", "bbb"}});
    ASSERT_TRUE(reader.feed(body));
    EXPECT_EQ(calls, 0);
    const auto done = reader.finish();
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, "missing_field");
}

TEST(MultipartReader, FeedAfterTheEndIsIgnored) {
    MultipartReader reader(std::string(kBoundary), "file", [](std::string_view) -> Status { return Ok{}; });
    ASSERT_TRUE(reader.feed(form({{"file", "x"}})));
    EXPECT_TRUE(reader.feed("trailing garbage --" + std::string(kBoundary)));
    EXPECT_TRUE(reader.finish());
}

}  // namespace
}  // namespace flow::http
