// Privacy settings (domain/privacy.hpp): what a viewer sees of a user, whose presence and
// read marks go where, and who may add whom to groups.
#include "domain/privacy.hpp"

#include <gtest/gtest.h>

namespace flow {
namespace {

constexpr Relation kRelations[] = {Relation::self, Relation::contact, Relation::other};

const User kAnn{"ann", "+14155550123", "Ann", "Out sailing", std::string("photo-1"), 1, 5000};

TEST(Privacy, AudiencesNameThemselvesAndNothingElse) {
    for (auto audience : {Audience::everyone, Audience::contacts, Audience::nobody})
        EXPECT_EQ(audience_from(to_string(audience)), audience);
    for (const char* name : {"", "Everyone", "friends", "contacts ", "nobody."})
        EXPECT_EQ(audience_from(name), std::nullopt) << name;
}

TEST(Privacy, TheDefaultsAreTheContracts) {
    const PrivacySettings settings;
    EXPECT_EQ(settings.last_seen, Audience::contacts);
    EXPECT_EQ(settings.photo, Audience::everyone);
    EXPECT_EQ(settings.about, Audience::everyone);
    EXPECT_TRUE(settings.read_receipts);
    EXPECT_EQ(settings.groups_add, Audience::everyone);
}

TEST(Privacy, AnAudienceReachesOneselfAlwaysContactsUnlessNobodyOthersOnlyIfEveryone) {
    EXPECT_TRUE(reaches(Audience::nobody, Relation::self));
    EXPECT_TRUE(reaches(Audience::contacts, Relation::contact));
    EXPECT_FALSE(reaches(Audience::nobody, Relation::contact));
    EXPECT_TRUE(reaches(Audience::everyone, Relation::other));
    EXPECT_FALSE(reaches(Audience::contacts, Relation::other));
}

TEST(Privacy, ThePlainProfileHidesLastSeenFromOthersOnly) {
    const PrivacySettings defaults;
    EXPECT_EQ(profile_seen_by(kAnn, defaults, Relation::self).last_seen_at, 5000);
    EXPECT_EQ(profile_seen_by(kAnn, defaults, Relation::contact).last_seen_at, 5000);
    const auto other = profile_seen_by(kAnn, defaults, Relation::other);
    EXPECT_EQ(other.last_seen_at, std::nullopt);
    EXPECT_EQ(other.image_id, "photo-1");
    EXPECT_EQ(other.about, "Out sailing");
    EXPECT_EQ(other.name, "Ann") << "the name is always seen";
}

TEST(Privacy, EachSettingHidesItsOwnFieldOutsideItsAudience) {
    for (auto audience : {Audience::everyone, Audience::contacts, Audience::nobody}) {
        for (auto relation : kRelations) {
            const bool seen = reaches(audience, relation);
            PrivacySettings settings{audience, audience, audience, true, Audience::everyone};
            const auto user = profile_seen_by(kAnn, settings, relation);
            EXPECT_EQ(user.last_seen_at.has_value(), seen);
            EXPECT_EQ(user.image_id.has_value(), seen);
            EXPECT_EQ(user.about, seen ? "Out sailing" : "");
            EXPECT_EQ(user.id, "ann");
            EXPECT_EQ(user.phone, kAnn.phone);
        }
    }
    PrivacySettings only_photo;
    only_photo.photo = Audience::nobody;
    const auto contact = profile_seen_by(kAnn, only_photo, Relation::contact);
    EXPECT_EQ(contact.image_id, std::nullopt);
    EXPECT_EQ(contact.last_seen_at, 5000);
    EXPECT_EQ(contact.about, "Out sailing");
}

TEST(Privacy, PresenceGoesToContactsUnlessLastSeenIsNobody) {
    PrivacySettings settings;
    EXPECT_TRUE(shares_presence(settings));
    settings.last_seen = Audience::everyone;
    EXPECT_TRUE(shares_presence(settings));
    settings.last_seen = Audience::nobody;
    EXPECT_FALSE(shares_presence(settings));
}

TEST(Privacy, ReadReceiptsFlowInDirectChatsOnlyWhenBothHaveThemOn) {
    const PrivacySettings on;
    PrivacySettings off;
    off.read_receipts = false;
    EXPECT_TRUE(shares_read_receipts(ChatType::direct, on, on));
    EXPECT_FALSE(shares_read_receipts(ChatType::direct, off, on)) << "the reader sends none";
    EXPECT_FALSE(shares_read_receipts(ChatType::direct, on, off)) << "the sender sees none";
    EXPECT_FALSE(shares_read_receipts(ChatType::direct, off, off));
    EXPECT_TRUE(shares_read_receipts(ChatType::group, off, off)) << "groups keep read receipts";
    EXPECT_TRUE(read_receipts_follow_settings(ChatType::direct));
    EXPECT_FALSE(read_receipts_follow_settings(ChatType::group));
}

TEST(Privacy, GroupsAddContactsRefusesOthersWithNotAllowed) {
    PrivacySettings settings;
    for (auto relation : kRelations) EXPECT_TRUE(check_may_add_to_group(settings, relation));
    settings.groups_add = Audience::contacts;
    EXPECT_TRUE(check_may_add_to_group(settings, Relation::contact));
    const auto refused = check_may_add_to_group(settings, Relation::other);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::forbidden);
    EXPECT_EQ(refused.error().code, "not_allowed");
}

TEST(Privacy, AChangeSetsWhatItNamesAndGroupsAddIsNeverNobody) {
    PrivacySettings settings;
    PrivacyChange change;
    change.about = Audience::contacts;
    change.read_receipts = false;
    ASSERT_TRUE(validate_privacy_change(change));
    apply_privacy_change(settings, change);
    PrivacySettings expected;
    expected.about = Audience::contacts;
    expected.read_receipts = false;
    EXPECT_EQ(settings, expected);
    apply_privacy_change(settings, {});
    EXPECT_EQ(settings, expected) << "an empty change changes nothing";
    PrivacyChange nobody;
    nobody.groups_add = Audience::nobody;
    const auto refused = validate_privacy_change(nobody);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, "invalid_field");
}

}  // namespace
}  // namespace flow
