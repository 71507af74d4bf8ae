#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <span>
#include <string>
#include <vector>

#include "common/utf8.hpp"
#include "wire/json_reader.hpp"
#include "wire/text_check.hpp"

namespace flow {
namespace {

using namespace std::string_literals;

std::span<const std::byte> as_bytes(std::string_view text) {
    return std::as_bytes(std::span(text.data(), text.size()));
}

TEST(Utf8Validator, AcceptsAndRefusesPerUnicode) {
    for (std::string_view good : std::vector<std::string_view>{
             "", "plain ascii, longer than eight bytes", std::string_view("\0", 1), "\xc2\x80",
             "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf",
             "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
             "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"})
        EXPECT_TRUE(is_valid_utf8(as_bytes(good))) << good;
    for (std::string_view bad : std::vector<std::string_view>{
             "\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
             "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xfe", "\xc2",
             "\xe1\x80", "\xf1\x80\x80", "abcdefgh\x80", "\xc2\x41"})
        EXPECT_FALSE(is_valid_utf8(as_bytes(bad))) << bad;
}

TEST(Utf8Validator, CarriesACodePointAcrossPieces) {
    const std::string text = "12345678\xf0\x9f\x98\x80 and \xe2\x82\xac and \xc3\xa9";
    for (std::size_t piece = 1; piece <= text.size(); ++piece) {
        Utf8Validator validator;
        for (std::size_t at = 0; at < text.size(); at += piece)
            EXPECT_TRUE(validator.feed(as_bytes(std::string_view(text).substr(at, piece))));
        EXPECT_TRUE(validator.complete()) << piece;
    }
    Utf8Validator cut;
    EXPECT_TRUE(cut.feed(as_bytes("\xf0\x9f")));
    EXPECT_FALSE(cut.complete());
    EXPECT_FALSE(cut.feed(as_bytes("A")));
    EXPECT_TRUE(cut.failed());
    EXPECT_FALSE(cut.feed(as_bytes("ok")));  // failed stays failed
}


TEST(ValidText, TakesUtf8WithoutNul) {
    EXPECT_TRUE(is_valid_text(""));
    EXPECT_TRUE(is_valid_text("plain ascii ~\x7f"));
    EXPECT_TRUE(is_valid_text("\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"));  // é ✓ 😀
    EXPECT_TRUE(is_valid_text("\xed\x9f\xbf"));                          // U+D7FF, before the surrogates
    EXPECT_TRUE(is_valid_text("\xee\x80\x80"));                          // U+E000, after them
    EXPECT_TRUE(is_valid_text("\xf4\x8f\xbf\xbf"));                      // U+10FFFF
}

TEST(ValidText, RefusesNulAndBrokenUtf8) {
    EXPECT_FALSE(is_valid_text("ab\0cd"s));
    EXPECT_FALSE(is_valid_text("\0"s));
    EXPECT_FALSE(is_valid_text("\xc3\x28"));          // a lead byte without its continuation
    EXPECT_FALSE(is_valid_text("\xc3"));              // cut short
    EXPECT_FALSE(is_valid_text("\xe2\x9c"));          // cut short
    EXPECT_FALSE(is_valid_text("\x80"));              // a lone continuation byte
    EXPECT_FALSE(is_valid_text("\xff"));
    EXPECT_FALSE(is_valid_text("\xc0\x80"));          // an overlong NUL
    EXPECT_FALSE(is_valid_text("\xe0\x80\xaf"));      // an overlong '/'
    EXPECT_FALSE(is_valid_text("\xed\xa0\x80"));      // a surrogate, U+D800
    EXPECT_FALSE(is_valid_text("\xf4\x90\x80\x80"));  // past U+10FFFF
    EXPECT_FALSE(is_valid_text("\xf5\x80\x80\x80"));
    EXPECT_FALSE(is_valid_text("\xe2\x28\xa1"));      // a bad second byte of three
    EXPECT_FALSE(is_valid_text("\xf0\x9f\x98\x28"));  // a bad last byte of four
}

TEST(TextCheck, FindsTheFirstInvalidStringOrKeyAndNamesWhere) {
    const auto where = [](const char* json) { return wire::find_invalid_text(boost::json::parse(json)); };
    EXPECT_EQ(where(R"({"a": "x", "b": [1, {"c": "y"}]})"), std::nullopt);
    EXPECT_EQ(where(R"({"text": "a\u0000b"})"), "text");
    EXPECT_EQ(where(R"({"user_ids": ["u1", "\u0000"]})"), "user_ids[1]");
    EXPECT_EQ(where(R"({"payload": {"sdp": "\u0000"}})"), "payload.sdp");
    EXPECT_EQ(where(R"({"a": [[1, "\u0000"]]})"), "a[0][1]");
    EXPECT_EQ(where(R"({"a": {"k\u0000": 1}})"), "a.(a key)");
    EXPECT_EQ(where(R"("\u0000")"), "");
}

TEST(JsonReader, RefusesABodyWithNulOrNotInUtf8) {
    wire::JsonReader nul(std::string_view(R"({"name": "ok", "about": "a\u0000"})"));
    nul.string("name");
    ASSERT_TRUE(nul.error());
    EXPECT_EQ(nul.error()->code, "invalid_text");
    EXPECT_NE(nul.error()->message.find("about"), std::string::npos) << nul.error()->message;

    wire::JsonReader broken(std::string_view("{\"name\": \"\xc3\x28\"}"));
    ASSERT_TRUE(broken.error());
    EXPECT_EQ(broken.error()->code, "invalid_json");  // JSON is UTF-8
    EXPECT_NE(broken.error()->message.find("UTF-8"), std::string::npos) << broken.error()->message;

    wire::JsonReader fine(std::string_view(R"({"name": "\u00e9"})"));
    EXPECT_EQ(fine.string("name"), "\xc3\xa9");
    EXPECT_FALSE(fine.error());
}

}  // namespace
}  // namespace flow
