package org.civiccredit.kit.screen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.civiccredit.kit.domain.ProtectedGround.ASSOCIATION_OR_ASSEMBLY;
import static org.civiccredit.kit.domain.ProtectedGround.ETHNICITY;
import static org.civiccredit.kit.domain.ProtectedGround.FAMILY;
import static org.civiccredit.kit.domain.ProtectedGround.HEALTH;
import static org.civiccredit.kit.domain.ProtectedGround.LANGUAGE;
import static org.civiccredit.kit.domain.ProtectedGround.NATIONALITY;
import static org.civiccredit.kit.domain.ProtectedGround.PETITION_OR_COMPLAINT;
import static org.civiccredit.kit.domain.ProtectedGround.POLITICAL_OPINION;
import static org.civiccredit.kit.domain.ProtectedGround.RELIGION_OR_BELIEF;
import static org.civiccredit.kit.domain.ProtectedGround.SEXUALITY;
import static org.civiccredit.kit.domain.ProtectedGround.SPEECH;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.civiccredit.kit.domain.ProtectedGround;
import org.civiccredit.kit.screen.ProtectedGroundScreen.Finding;
import org.civiccredit.kit.screen.ProtectedGroundScreen.VocabularyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Tries to break the protected-ground screen: recall, evasion, precision, the data file's coverage. */
class ProtectedGroundScreenTest {

    private static final ProtectedGroundScreen SCREEN = ProtectedGroundScreen.fromClasspath();

    private static Set<ProtectedGround> grounds(String text) {
        return SCREEN.screenAll(text).stream().map(Finding::ground).collect(Collectors.toSet());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Recall: every ground, in realistic notes

    static Stream<Arguments> englishNotes() {
        return Stream.of(
                Arguments.of(RELIGION_OR_BELIEF, "Missed shift because of Ramadan fasting"),
                Arguments.of(RELIGION_OR_BELIEF, "Leaves early on Fridays for prayers at the mosque"),
                Arguments.of(RELIGION_OR_BELIEF, "Participant is an atheist and refused the blessing"),
                Arguments.of(RELIGION_OR_BELIEF, "Attends bible study on Wednesday evenings"),
                Arguments.of(RELIGION_OR_BELIEF, "Wears a hijab at the counter"),
                Arguments.of(ETHNICITY, "Volunteer of Roma origin, punctual"),
                Arguments.of(ETHNICITY, "Her family are Uyghur and arrived last year"),
                Arguments.of(ETHNICITY, "Participant's ethnicity recorded as mixed race"),
                Arguments.of(NATIONALITY, "Participant is a refugee from Syria"),
                Arguments.of(NATIONALITY, "Asked about his nationality at sign-up"),
                Arguments.of(NATIONALITY, "Immigration status not yet confirmed"),
                Arguments.of(LANGUAGE, "Does not speak English, needed help with forms"),
                Arguments.of(LANGUAGE, "Her mother tongue is Tigrinya"),
                Arguments.of(LANGUAGE, "Hard to understand because of his strong accent"),
                Arguments.of(POLITICAL_OPINION, "Known opposition supporter in the district"),
                Arguments.of(POLITICAL_OPINION, "Member of the Communist Party since 2010"),
                Arguments.of(POLITICAL_OPINION, "Talks about politics with the other volunteers"),
                Arguments.of(PETITION_OR_COMPLAINT, "Filed a complaint to the council about the landlord"),
                Arguments.of(PETITION_OR_COMPLAINT, "Signed the petition against the road closure"),
                Arguments.of(PETITION_OR_COMPLAINT, "Appealed to the council over the parking fine"),
                Arguments.of(SPEECH, "Posted online criticising the mayor"),
                Arguments.of(SPEECH, "Wrote an article about the housing office"),
                Arguments.of(SPEECH, "Her tweets about the library cuts"),
                Arguments.of(ASSOCIATION_OR_ASSEMBLY, "Joined the protest outside the town hall"),
                Arguments.of(ASSOCIATION_OR_ASSEMBLY, "Went on strike with the bus drivers in May"),
                Arguments.of(ASSOCIATION_OR_ASSEMBLY, "Trade union rep at the depot"),
                Arguments.of(ASSOCIATION_OR_ASSEMBLY, "Demonstrated against the new bypass"),
                Arguments.of(HEALTH, "Diagnosed with depression in the spring"),
                Arguments.of(HEALTH, "Was off sick for two weeks"),
                Arguments.of(HEALTH, "She is pregnant and asked for lighter duties"),
                Arguments.of(HEALTH, "Participant is HIV positive"),
                Arguments.of(SEXUALITY, "Participant is gay"),
                Arguments.of(SEXUALITY, "Lives with her girlfriend near the depot"),
                Arguments.of(SEXUALITY, "Transgender participant, uses the side entrance"),
                Arguments.of(FAMILY, "His father was arrested last year"),
                Arguments.of(FAMILY, "Her brother is in prison"),
                Arguments.of(FAMILY, "Son of a known troublemaker"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("englishNotes")
    void everyGroundIsCaughtInEnglish(ProtectedGround ground, String note) {
        assertThat(grounds(note)).as(note).contains(ground);
        assertThat(SCREEN.screen(note)).as(note).isPresent();
    }

    static Stream<Arguments> chineseNotes() {
        return Stream.of(
                Arguments.of(RELIGION_OR_BELIEF, "斋月期间没有来值班"),
                Arguments.of(RELIGION_OR_BELIEF, "他每周去清真寺做礼拜"),
                Arguments.of(RELIGION_OR_BELIEF, "她修炼法轮功"),
                Arguments.of(ETHNICITY, "她是维吾尔族"),
                Arguments.of(ETHNICITY, "来自少数民族家庭"),
                Arguments.of(NATIONALITY, "他是外国人，没有身份证"),
                Arguments.of(NATIONALITY, "难民身份尚未确认"),
                Arguments.of(LANGUAGE, "他不会说普通话，沟通困难"),
                Arguments.of(LANGUAGE, "他的母语是藏语"),
                Arguments.of(POLITICAL_OPINION, "他是党员"),
                Arguments.of(POLITICAL_OPINION, "支持反对党的候选人"),
                Arguments.of(PETITION_OR_COMPLAINT, "他去上访了"),
                Arguments.of(PETITION_OR_COMPLAINT, "多次向街道投诉噪音"),
                Arguments.of(PETITION_OR_COMPLAINT, "举报了社区主任"),
                Arguments.of(SPEECH, "在网上发帖批评政府"),
                Arguments.of(SPEECH, "他的言论不当"),
                Arguments.of(ASSOCIATION_OR_ASSEMBLY, "参加了游行示威"),
                Arguments.of(ASSOCIATION_OR_ASSEMBLY, "组织工人罢工"),
                Arguments.of(ASSOCIATION_OR_ASSEMBLY, "加入了工会"),
                Arguments.of(HEALTH, "他患有抑郁，经常缺勤"),
                Arguments.of(HEALTH, "她怀孕了，不能值夜班"),
                Arguments.of(HEALTH, "因生病请假三天"),
                Arguments.of(SEXUALITY, "他是同性恋"),
                Arguments.of(SEXUALITY, "跨性别者，需要单独更衣室"),
                Arguments.of(FAMILY, "他父亲是上访户"),
                Arguments.of(FAMILY, "她的哥哥在坐牢"),
                Arguments.of(FAMILY, "其子曾被拘留"),
                // traditional characters
                Arguments.of(RELIGION_OR_BELIEF, "他每週去清真寺做禮拜"),
                Arguments.of(ETHNICITY, "她是維吾爾族"),
                Arguments.of(PETITION_OR_COMPLAINT, "他經常上訪"),
                Arguments.of(SEXUALITY, "他是同性戀"),
                Arguments.of(ASSOCIATION_OR_ASSEMBLY, "參加了罷工"),
                Arguments.of(FAMILY, "他父親被拘留"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("chineseNotes")
    void everyGroundIsCaughtInChinese(ProtectedGround ground, String note) {
        assertThat(grounds(note)).as(note).contains(ground);
    }

    @Test
    void theExamplesCoverEveryGroundInBothLanguages() {
        Set<ProtectedGround> english = englishNotes().map(a -> (ProtectedGround) a.get()[0])
                .collect(Collectors.toSet());
        Set<ProtectedGround> chinese = chineseNotes().map(a -> (ProtectedGround) a.get()[0])
                .collect(Collectors.toSet());
        assertThat(english).containsExactlyInAnyOrder(ProtectedGround.values());
        assertThat(chinese).containsExactlyInAnyOrder(ProtectedGround.values());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Evasion

    static Stream<Arguments> evasions() {
        return Stream.of(
                Arguments.of("RELIGION", RELIGION_OR_BELIEF),
                Arguments.of("ReLiGiOn", RELIGION_OR_BELIEF),
                Arguments.of("r e l i g i o n", RELIGION_OR_BELIEF),
                Arguments.of("r.e.l.i.g.i.o.n", RELIGION_OR_BELIEF),
                Arguments.of("re-li-gion", RELIGION_OR_BELIEF),
                Arguments.of("R_E_L_I_G_I_O_N", RELIGION_OR_BELIEF),
                Arguments.of("ｒｅｌｉｇｉｏｎ", RELIGION_OR_BELIEF),
                Arguments.of("ＲＡＭＡＤＡＮ observance", RELIGION_OR_BELIEF),
                Arguments.of("reli\u200Bgion", RELIGION_OR_BELIEF),
                Arguments.of("r\u200Ce\u200Dli\u2060gi\uFEFFon", RELIGION_OR_BELIEF),
                Arguments.of("reli\u00ADgion", RELIGION_OR_BELIEF),
                Arguments.of("rèligión", RELIGION_OR_BELIEF),
                Arguments.of("Rámádán", RELIGION_OR_BELIEF),
                Arguments.of("r3l1g10n", RELIGION_OR_BELIEF),
                Arguments.of("r 3 l 1 g 1 0 n", RELIGION_OR_BELIEF),
                Arguments.of("goes to the m0sque", RELIGION_OR_BELIEF),
                Arguments.of("r@mad@n", RELIGION_OR_BELIEF),
                Arguments.of("$ikh", RELIGION_OR_BELIEF),
                Arguments.of("Is1am", RELIGION_OR_BELIEF),
                Arguments.of("|slam", RELIGION_OR_BELIEF),
                Arguments.of("r\u0435ligion", RELIGION_OR_BELIEF), // Cyrillic е
                Arguments.of("R\u0410M\u0410D\u0410N", RELIGION_OR_BELIEF), // Cyrillic А
                Arguments.of("M U S L I M", RELIGION_OR_BELIEF),
                Arguments.of("he'd a p.r.o.t.e.s.t sign", ASSOCIATION_OR_ASSEMBLY),
                Arguments.of("PROTESTERS", ASSOCIATION_OR_ASSEMBLY),
                Arguments.of("tr@de un10n", ASSOCIATION_OR_ASSEMBLY),
                Arguments.of("t r a d e   u n i o n", ASSOCIATION_OR_ASSEMBLY),
                Arguments.of("h o m o s e x u a l", SEXUALITY),
                Arguments.of("d-e-p-r-e-s-s-i-o-n", HEALTH),
                Arguments.of("P E T I T I O N", PETITION_OR_COMPLAINT),
                Arguments.of("n.a.t.i.o.n.a.l.i.t.y", NATIONALITY),
                Arguments.of("his f4ther's record", FAMILY),
                Arguments.of("ＨＩＶ positive", HEALTH),
                Arguments.of("上 访", PETITION_OR_COMPLAINT),
                Arguments.of("上.访", PETITION_OR_COMPLAINT),
                Arguments.of("上，访", PETITION_OR_COMPLAINT),
                Arguments.of("上。访", PETITION_OR_COMPLAINT),
                Arguments.of("上・访", PETITION_OR_COMPLAINT),
                Arguments.of("上\u3000访", PETITION_OR_COMPLAINT),
                Arguments.of("上\u200B访", PETITION_OR_COMPLAINT),
                Arguments.of("上/访", PETITION_OR_COMPLAINT),
                Arguments.of("他去了上 访 办", PETITION_OR_COMPLAINT),
                Arguments.of("法 轮 功", RELIGION_OR_BELIEF),
                Arguments.of("罢—工", ASSOCIATION_OR_ASSEMBLY),
                Arguments.of("同、性、恋", SEXUALITY));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("evasions")
    void evasionsAreCaught(String text, ProtectedGround ground) {
        assertThat(grounds(text)).as(text).contains(ground);
    }

    @Test
    void kangxiRadicalsAndCompatibilityIdeographsFoldToOrdinaryCharacters() {
        // ⼈ (U+2F08 KANGXI RADICAL MAN) is 人; 罗姆⼈ reads 罗姆人.
        assertThat(grounds("罗姆\u2F08")).containsExactly(ETHNICITY);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Precision: ordinary notes must never be refused

    static Stream<String> benignEnglishNotes() {
        return Stream.of(
                "Sprayed the community garden beds",
                "Assembled bookshelves at the Churchill Road library",
                "Sorted 40 kg of tinned food",
                "Cooking demonstration for the food bank volunteers",
                "Massage chair moved to storage",
                "Led a literacy session for adults",
                "Planted 12 trees in Riverside Park",
                "Helped at the blood donation drive",
                "Shift swapped with another volunteer by agreement",
                "Delivered parcels to 15 households",
                "Counted visitors at the museum",
                "Translated the sign-up sheet into three languages",
                "Kept the accounts for the repair café",
                "Carried out the Saturday litter pick",
                "Shift went well, no complaints",
                "Pass over the crates to the van crew, then passed over the keys",
                "She left hers on the front desk",
                "Diagnosed a fault in the toaster at the repair café",
                "Disabled the alarm before opening the hall",
                "The fire alarm was disabled during the drill",
                "Sorted the Quaker oats and Roma tomatoes",
                "Painted the picket fence around the allotments",
                "Volunteers rallied to clear the park after the storm",
                "Walked out to the car park with the donations",
                "Coached the strikers at the youth football session",
                "Hung the Christmas lights in the library",
                "Ran the Easter egg hunt for 30 children",
                "Read stories at the Mother's Day event",
                "Took constructive criticism about the rota well",
                "Cleaned the bus shelter on Union Street",
                "Helped at the credit union stall",
                "Recorded migrant birds at the wetland reserve",
                "Volunteered at the dementia café on Tuesday",
                "Four-hour shift at the Cancer Research shop",
                "Fitted new shelving in the left wing of the library",
                "Stacked boxes in the far right corner of the store",
                "The March litter pick had 20 volunteers",
                "Ran the fundraising appeal to local businesses",
                "Built a disability access ramp at the community centre",
                "Cleaned the Church Road bus shelter",
                "Served non-alcoholic punch at the summer fair",
                "Cheered on runners at the Race for Life",
                "Helped a family of four with a food parcel",
                "Fixed the hospitality trolley",
                "Led the Big Brothers Big Sisters mentoring session",
                "The coordinator said that the shift starts at 9",
                "Volunteers socialising after the shift",
                "Moved 3 tables and 5 chairs to Room 101",
                "Gave a demo of the new library app",
                "Attended the demonstration of the new catalogue system",
                "Explained the rules in plain English",
                "Painted the feature wall with accent colours",
                "Asked residents for their views on the garden plan",
                "Organised the bake sale with the residents' association",
                "Minuted the food bank committee meeting",
                "Residents cast their votes for the new mural design",
                "Guided a school group around the Massachusetts exhibit",
                "Stewarded the 10k fun run",
                "Wrote the library blog post about new arrivals",
                "Practised speaking out loud with the reading group",
                "Named citizen of the year by the town council",
                "Completed the active citizenship module",
                "Showed visitors the Great Depression exhibition",
                "Trained as a dementia friend",
                "Raised money for cancer research with a bake sale",
                "Handed out leaflets about the library's opening hours",
                "Rescued orphaned lambs at the city farm",
                "Led a session on mental health first aid for volunteers",
                "Sorted halal and kosher tins onto separate shelves",
                "Welcomed families and their children at the library",
                "Spray-painted the benches in Victoria Park",
                "Assembled flat-pack chairs for the reading room",
                "Supported the parish council's spring clean",
                "Prepared sandwiches for the homeless shelter",
                "Counted 7 ash trees and 3 oak trees",
                "Behind us the volunteers cleared the towpath",
                "Parents came with their children to rhyme time",
                "Sister Mary opened the hall for the coffee morning",
                "Fixed the lectern for Father Brown's book club",
                "Event postponed on Facebook because of the rain",
                "Had a sit in the sun after the litter pick",
                "Helped asylum seekers fill in library card forms with refugees' caseworkers",
                "Trained on the Hindustani music archive");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("benignEnglishNotes")
    void ordinaryEnglishNotesAreNotRefused(String note) {
        assertThat(SCREEN.screenAll(note)).as(note).isEmpty();
    }

    static Stream<String> benignChineseNotes() {
        return Stream.of(
                "在社区花园浇水两小时",
                "帮助图书馆整理书架",
                "在食物银行分拣罐头",
                "为社区老人送餐",
                "妇女儿童活动中心布置场地", // 女儿 inside 妇女儿童
                "召集会议讨论志愿者排班", // 集会 inside 召集会议
                "义工会组织清洁活动", // 工会 inside 义工会
                "社工会议上汇报工作",
                "教会老人使用智能手机", // 教会 = "taught"
                "礼拜六在图书馆值班", // 礼拜六 = Saturday
                "通过微信教老人视频通话", // 信教 inside 微信教
                "团结社区居民共同清理河道", // 结社 inside 团结社区
                "他知道教室在哪里", // 道教 inside 知道教室
                "请愿意参加的志愿者报名", // 请愿 inside 请愿意
                "在网上访问图书馆目录", // 上访 inside 网上访问
                "晚上访问了三户独居老人",
                "走访民众了解需求", // 访民 inside 走访民众
                "帮助困难民众领取食品", // 难民 inside 困难民众
                "母亲节为老人送花",
                "拿出柜子里的物资", // 出柜 inside 拿出柜子
                "男同事帮忙搬运物资",
                "居民运动会担任裁判", // 民运 inside 居民运动会
                "弘扬中华民族传统美德",
                "大家人手一份资料", // 家人 inside 大家人手
                "给住院部送书",
                "看望生病的老人",
                "陪伴自闭症儿童做手工",
                "帮助残疾人过马路",
                "在市集会场维持秩序",
                "诚信教育讲座担任主持",
                "员工会议讨论下月活动",
                "国庆花车游行志愿服务",
                "为留守儿童辅导作业",
                "修理社区的自行车",
                "召集會議討論排班",
                "禮拜六在圖書館值班");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("benignChineseNotes")
    void ordinaryChineseNotesAreNotRefused(String note) {
        assertThat(SCREEN.screenAll(note)).as(note).isEmpty();
    }

    @Test
    void aBenignContextDoesNotHideARealMatchElsewhere() {
        assertThat(SCREEN.screenAll("礼拜天去做礼拜")).extracting(Finding::term).contains("做礼拜");
        assertThat(grounds("Shift went well, no complaints, but she complained to the council later"))
                .containsExactly(PETITION_OR_COMPLAINT);
        assertThat(grounds("在网上访问图书馆目录后去上访")).containsExactly(PETITION_OR_COMPLAINT);
    }

    @Test
    void wordsAreMatchedWholeNeverInsideOtherWords() {
        assertThat(SCREEN.screenAll("spraying the strawberries, the massage room, Gaylord Street, hindustan road"))
                .isEmpty();
        assertThat(SCREEN.screenAll("Assembled the Churchill Road shelves")).isEmpty();
        assertThat(grounds("Stood at the church gate")).containsExactly(RELIGION_OR_BELIEF);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Findings

    @Test
    void theFindingNamesTheGroundAndTheVocabularyTermNeverTheText() {
        assertThat(SCREEN.screen("Missed shift because of Ramadan fasting"))
                .contains(new Finding(RELIGION_OR_BELIEF, "ramadan"));
        assertThat(SCREEN.screen("他去上访了")).contains(new Finding(PETITION_OR_COMPLAINT, "上访"));
        assertThat(SCREEN.screen("She joined the PROTESTERS")).contains(new Finding(ASSOCIATION_OR_ASSEMBLY, "protest~"));
        assertThat(SCREEN.screen("Her brother is in prison")).contains(new Finding(FAMILY, "her brother~"));
        assertThat(SCREEN.screen("r.e.l.i.g.i.o.n")).contains(new Finding(RELIGION_OR_BELIEF, "religio*"));
    }

    @Test
    void screenReturnsTheFirstFindingAndScreenAllEveryDistinctOne() {
        String ruleTable = "Deduct 5 for missing a shift during Ramadan. Add 3 for union membership. "
                + "Deduct 10 if diagnosed with depression. Deduct 2 if his father is a petitioner. 不会说普通话扣分。"
                + " Ramadan again.";
        List<Finding> all = SCREEN.screenAll(ruleTable);
        assertThat(all).extracting(Finding::ground).containsSubsequence(RELIGION_OR_BELIEF,
                ASSOCIATION_OR_ASSEMBLY, HEALTH, FAMILY, PETITION_OR_COMPLAINT, LANGUAGE);
        assertThat(all).doesNotHaveDuplicates();
        assertThat(all.stream().filter(f -> f.term().equals("ramadan"))).hasSize(1);
        assertThat(SCREEN.screen(ruleTable)).contains(new Finding(RELIGION_OR_BELIEF, "ramadan"));
    }

    @Test
    void nothingToScreenIsNoFinding() {
        assertThat(SCREEN.screen(null)).isEmpty();
        assertThat(SCREEN.screen("")).isEmpty();
        assertThat(SCREEN.screenAll("   \u200B\u3000 ")).isEmpty();
        assertThat(SCREEN.screenAll("@@@ $$$ !!! ||| 0137")).isEmpty();
    }

    @Test
    void inflectionsAndPrefixesMatch() {
        assertThat(grounds("petitioned the mayor")).containsExactly(PETITION_OR_COMPLAINT);
        assertThat(grounds("protesting outside")).containsExactly(ASSOCIATION_OR_ASSEMBLY);
        assertThat(grounds("rallies against the closure")).containsExactly(ASSOCIATION_OR_ASSEMBLY);
        assertThat(grounds("her daughters visited")).containsExactly(FAMILY);
        assertThat(grounds("is praying")).containsExactly(RELIGION_OR_BELIEF);
        assertThat(grounds("his father's arrest")).containsExactly(FAMILY);
    }

    @Test
    void theScreenIsLoadedOnceAndShared() {
        assertThat(ProtectedGroundScreen.fromClasspath()).isSameAs(SCREEN);
    }

    @Test
    void longAndAdversarialTextIsScreenedInOnePass() {
        // No timing assertion: the design is linear (one bounded trie walk per position). This checks that
        // pathological input (long runs of separators and single letters) is handled and still found.
        String filler = "a . b - c ".repeat(5_000) + "o".repeat(10_000);
        String text = filler + " r e l i g i o n " + "上 ".repeat(2_000) + "访";
        assertThat(grounds(text)).containsExactlyInAnyOrder(RELIGION_OR_BELIEF, PETITION_OR_COMPLAINT);
        String note = ("Sorted 40 kg of tinned food and swept the paths at Churchill Road library. ").repeat(7)
                .substring(0, 500);
        assertThat(SCREEN.screenAll(note)).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // The data file

    @Test
    void everyGroundHasEnglishAndChineseTerms() {
        Map<ProtectedGround, Map<String, Integer>> counts = new EnumMap<>(ProtectedGround.class);
        for (VocabularyEntry entry : SCREEN.vocabulary()) {
            counts.computeIfAbsent(entry.ground(), g -> new java.util.HashMap<>())
                    .merge(entry.language(), 1, Integer::sum);
        }
        for (ProtectedGround ground : ProtectedGround.values()) {
            Map<String, Integer> byLanguage = counts.getOrDefault(ground, Map.of());
            assertThat(byLanguage.getOrDefault("en", 0)).as(ground + " English terms").isGreaterThanOrEqualTo(8);
            assertThat(byLanguage.getOrDefault("zh-Hans", 0)).as(ground + " simplified Chinese terms")
                    .isGreaterThanOrEqualTo(5);
            assertThat(byLanguage.getOrDefault("zh-Hant", 0)).as(ground + " traditional Chinese terms")
                    .isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void everyVocabularyTermMatchesItsOwnGround() {
        List<String> failures = new ArrayList<>();
        for (VocabularyEntry entry : SCREEN.vocabulary()) {
            // the first alternative of each {a,b} group, markers dropped: the term as plain text
            String plain = entry.term().replaceAll("\\{([^,}]*)[^}]*}", "$1").replace("*", "").replace("~", "");
            if (!grounds(plain).contains(entry.ground())) {
                failures.add(entry.line() + ": " + entry.term() + " (as '" + plain + "')");
            }
        }
        assertThat(failures).as("terms that do not match their own ground").isEmpty();
    }

    @Test
    void malformedVocabularyIsRejectedWithTheLine() {
        assertThatThrownBy(() -> ProtectedGroundScreen.fromVocabulary("RELIGION | en | prayer", "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("t:1").hasMessageContaining(
                        "unknown ground");
        assertThatThrownBy(() -> ProtectedGroundScreen.fromVocabulary("# c\nHEALTH | en", "t"))
                .hasMessageContaining("t:2");
        assertThatThrownBy(() -> ProtectedGroundScreen.fromVocabulary("HEALTH | english | ill", "t"))
                .hasMessageContaining("language");
        assertThatThrownBy(() -> ProtectedGroundScreen.fromVocabulary("HEALTH | en | ill | sometimes", "t"))
                .hasMessageContaining("unknown option");
        assertThatThrownBy(() -> ProtectedGroundScreen.fromVocabulary("HEALTH | en | ill\nHEALTH | en | ILL", "t"))
                .hasMessageContaining("duplicates");
        assertThatThrownBy(() -> ProtectedGroundScreen.fromVocabulary("HEALTH | zh-Hans | 生病*", "t"))
                .hasMessageContaining("Chinese");
        assertThatThrownBy(() -> ProtectedGroundScreen.fromVocabulary("HEALTH | en | {ill,sick", "t"))
                .hasMessageContaining("unclosed");
        assertThatThrownBy(() -> ProtectedGroundScreen.fromVocabulary("# only comments\n", "t"))
                .hasMessageContaining("no terms");
    }

    @Test
    void aSmallVocabularyBehavesAsDocumented() {
        ProtectedGroundScreen screen = ProtectedGroundScreen.fromVocabulary("""
                # comment
                HEALTH | en | ill~ | nocompact
                RELIGION_OR_BELIEF | en | pray*
                RELIGION_OR_BELIEF | en | {his,her} faith
                SPEECH | en | spoke out | not=spoke out loud
                PETITION_OR_COMPLAINT | zh-Hans | 上访 | not=网上访
                """, "inline");
        assertThat(screen.screenAll("i l l")).isEmpty();
        assertThat(screen.screenAll("spray")).isEmpty();
        assertThat(screen.screenAll("PRAYERS")).containsExactly(new Finding(RELIGION_OR_BELIEF, "pray*"));
        assertThat(screen.screenAll("her faith")).containsExactly(new Finding(RELIGION_OR_BELIEF, "her faith"));
        assertThat(screen.screenAll("she spoke out loud")).isEmpty();
        assertThat(screen.screenAll("she spoke out")).containsExactly(new Finding(SPEECH, "spoke out"));
        assertThat(screen.screenAll("网上访问")).isEmpty();
        assertThat(screen.vocabulary()).extracting(VocabularyEntry::ground).containsExactly(HEALTH,
                RELIGION_OR_BELIEF, RELIGION_OR_BELIEF, SPEECH, PETITION_OR_COMPLAINT);
        assertThat(EnumSet.copyOf(screen.vocabulary().stream().map(VocabularyEntry::ground).toList()))
                .hasSize(4);
    }
}
