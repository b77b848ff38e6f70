package org.civiccredit.kit.screen;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.civiccredit.kit.domain.ProtectedGround;

/**
 * Recognises free text that concerns a {@link ProtectedGround}: an agency report's note, a rule's title or
 * description. Intake refuses such text and names the ground; nothing about a protected ground may ever be
 * scored.
 *
 * <p>The vocabulary is one reviewed data file, {@code screen/protected-grounds.txt} on the classpath; its header
 * documents the format. Screening works in two passes over a normalised copy of the text, both linear in its
 * length (each position starts at most one walk of a precompiled trie, bounded by the longest term):
 *
 * <ol>
 *   <li><b>Normalisation</b> (applied identically to the text and to every vocabulary term): Unicode NFKD
 *       (full-width and other compatibility forms become plain letters), lower case with {@link Locale#ROOT},
 *       combining marks (accents) and format characters (zero-width spaces and joiners, soft hyphens, BOM)
 *       dropped, apostrophes dropped (so {@code father's} reads {@code fathers}), a few Cyrillic and Greek
 *       look-alikes mapped to the Latin letter they imitate, and, inside words, the substitutions
 *       {@code 0→o 1→i 3→e 4→a 5→s 7→t @→a $→s !→i |→i}. Because {@code 1} and {@code |} may stand for either
 *       {@code i} or {@code l}, the letter {@code l} is folded to {@code i} as well (on both sides, so no term
 *       can tell them apart). A word made only of digits is left alone: {@code 40 kg} is not {@code ao kg}.</li>
 *   <li><b>Word pass</b>: words are runs of letters and digits outside the unsegmented scripts (Chinese,
 *       Japanese, Thai...). A term is a sequence of words matched on consecutive words; a word written
 *       {@code pray*} also matches any word beginning with it, one written {@code protest~} also matches its
 *       regular English inflections (protests, protested, protesting, protester...).</li>
 *   <li><b>Compacted pass</b>: the same characters with every separator removed, which catches
 *       {@code r e l i g i o n}, {@code r.e.l.i.g.i.o.n}, {@code re-li-gion} and {@code 上 访}. Chinese terms are
 *       matched only here, anywhere. A Latin-script term is matched here only if it is long enough to be
 *       distinctive (one word of at least 6 letters, or several words of at least 4 letters each and 9 in
 *       all), is not marked {@code nocompact}, and then only where the match starts at the start of a word and
 *       ends at the end of one: "behind us" never yields "hindu", "spray" never yields "pray".</li>
 * </ol>
 *
 * <p>A term may list benign contexts ({@code not=}): a match that overlaps an occurrence of one of them (in
 * the compacted text) is not a finding, e.g. {@code 礼拜} is not refused inside {@code 礼拜六} (Saturday).
 *
 * <p>Instances are immutable and thread-safe. {@link #fromClasspath()} loads the vocabulary once.
 */
public final class ProtectedGroundScreen {

    /** Where the reviewed vocabulary lives on the classpath. */
    public static final String VOCABULARY_RESOURCE = "/screen/protected-grounds.txt";

    /**
     * One finding: the ground, and the vocabulary term that matched, as written in the vocabulary file (after
     * expanding its {@code {a,b}} alternatives). Never the screened text itself.
     */
    public record Finding(ProtectedGround ground, String term) {
    }

    /** One line of the vocabulary file, as written: for reviews and coverage checks. */
    public record VocabularyEntry(ProtectedGround ground, String language, String term, int line) {
    }

    private static final class Holder {
        static final ProtectedGroundScreen INSTANCE = load();

        private static ProtectedGroundScreen load() {
            try (InputStream in = ProtectedGroundScreen.class.getResourceAsStream(VOCABULARY_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("vocabulary " + VOCABULARY_RESOURCE + " is not on the classpath");
                }
                return fromVocabulary(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                        VOCABULARY_RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + VOCABULARY_RESOURCE, e);
            }
        }
    }

    /** The screen over the reviewed vocabulary on the classpath, loaded once. */
    public static ProtectedGroundScreen fromClasspath() {
        return Holder.INSTANCE;
    }

    /**
     * A screen over the given vocabulary text (the format of {@code protected-grounds.txt}).
     *
     * @param source named in error messages
     * @throws IllegalArgumentException naming the line, if the vocabulary is malformed
     */
    public static ProtectedGroundScreen fromVocabulary(String vocabulary, String source) {
        return new Compiler(source).compile(vocabulary);
    }

    private final List<VocabularyEntry> vocabulary;
    private final WordNode wordRoot;
    private final CharNode boundedRoot;
    private final CharNode unboundedRoot;

    private ProtectedGroundScreen(List<VocabularyEntry> vocabulary, WordNode wordRoot, CharNode boundedRoot,
            CharNode unboundedRoot) {
        this.vocabulary = List.copyOf(vocabulary);
        this.wordRoot = wordRoot;
        this.boundedRoot = boundedRoot;
        this.unboundedRoot = unboundedRoot;
    }

    /** Every line of the vocabulary, in file order. */
    public List<VocabularyEntry> vocabulary() {
        return vocabulary;
    }

    /** The first finding in the text (by position), if any. A null text has none. */
    public Optional<Finding> screen(String text) {
        List<Hit> hits = hits(text);
        return hits.isEmpty() ? Optional.empty() : Optional.of(hits.get(0).finding());
    }

    /** Every distinct finding in the text, in order of first occurrence. A null text has none. */
    public List<Finding> screenAll(String text) {
        Set<Finding> findings = new LinkedHashSet<>();
        for (Hit hit : hits(text)) {
            findings.add(hit.finding());
        }
        return List.copyOf(findings);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Matching

    private record Hit(int start, int end, Term term) {
        Finding finding() {
            return new Finding(term.ground(), term.written());
        }
    }

    private static final Comparator<Hit> BY_POSITION = Comparator.comparingInt(Hit::start)
            .thenComparing(Comparator.comparingInt(Hit::end).reversed())
            .thenComparingInt(hit -> hit.term().order());

    private List<Hit> hits(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        Text t = Text.of(text);
        List<Hit> hits = new ArrayList<>();
        for (int i = 0; i < t.tokens.length; i++) {
            walkWords(wordRoot, t, i, i, hits);
        }
        for (int i = 0; i < t.tokens.length; i++) {
            walkChars(boundedRoot, t, t.tokenStart[i], true, hits);
        }
        for (int p = 0; p < t.compact.length(); p++) {
            walkChars(unboundedRoot, t, p, false, hits);
        }
        if (hits.size() > 1) {
            hits.sort(BY_POSITION);
        }
        return hits;
    }

    private static void walkWords(WordNode node, Text t, int first, int next, List<Hit> hits) {
        if (next >= t.tokens.length) {
            return;
        }
        String token = t.tokens[next];
        WordNode exact = node.exact.get(token);
        if (exact != null) {
            reach(exact, t, first, next, hits);
        }
        if (!node.prefixes.isEmpty() && token.length() >= MIN_PREFIX) {
            for (Prefix prefix : node.prefixes.getOrDefault(token.substring(0, MIN_PREFIX), List.of())) {
                if (token.startsWith(prefix.prefix())) {
                    reach(prefix.next(), t, first, next, hits);
                }
            }
        }
    }

    private static void reach(WordNode node, Text t, int first, int last, List<Hit> hits) {
        for (Term term : node.ends) {
            offer(term, t, t.tokenStart[first], t.tokenEnd[last], hits);
        }
        walkWords(node, t, first, last + 1, hits);
    }

    private static void walkChars(CharNode root, Text t, int start, boolean bounded, List<Hit> hits) {
        String s = t.compact;
        CharNode node = root;
        for (int p = start; p < s.length(); p++) {
            node = node.next(s.charAt(p));
            if (node == null) {
                return;
            }
            for (CompactTerm ct : node.ends) {
                if (!bounded || ct.prefix() || t.endsToken[p + 1]) {
                    offer(ct.term(), t, start, p + 1, hits);
                }
            }
        }
    }

    /** Records a match unless one of the term's benign contexts overlaps it (a bounded, local check). */
    private static void offer(Term term, Text t, int start, int end, List<Hit> hits) {
        for (String benign : term.benign()) {
            for (int p = Math.max(0, start - benign.length() + 1); p < end; p++) {
                if (t.compact.startsWith(benign, p)) {
                    return;
                }
            }
        }
        hits.add(new Hit(start, end, term));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Normalisation

    /** The text as the screen sees it: words (word pass) and the compacted characters (compacted pass). */
    static final class Text {
        /** Normalised words. */
        final String[] tokens;
        /** The same words before the look-alike substitutions, used only to inflect vocabulary terms. */
        final String[] rawTokens;
        /** Where each word starts and ends (exclusive) in {@link #compact}. */
        final int[] tokenStart;
        final int[] tokenEnd;
        /** All word and unsegmented-script characters, substituted, with every separator removed. */
        final String compact;
        /** {@code endsToken[q]}: a word ends just before compact position {@code q}. */
        final boolean[] endsToken;
        /** Whether the text has Chinese (or other unsegmented-script) characters. */
        final boolean hasUnsegmented;

        private Text(String[] tokens, String[] rawTokens, int[] tokenStart, int[] tokenEnd, String compact,
                boolean[] endsToken, boolean hasUnsegmented) {
            this.tokens = tokens;
            this.rawTokens = rawTokens;
            this.tokenStart = tokenStart;
            this.tokenEnd = tokenEnd;
            this.compact = compact;
            this.endsToken = endsToken;
            this.hasUnsegmented = hasUnsegmented;
        }

        /** One pass over the cleaned code points. */
        static Text of(String input) {
            int[] cps = clean(input);
            String[] tokens = new String[cps.length];
            String[] rawTokens = new String[cps.length];
            int[] starts = new int[cps.length];
            int[] ends = new int[cps.length];
            int count = 0;
            StringBuilder compact = new StringBuilder(cps.length);
            StringBuilder raw = new StringBuilder();
            boolean inToken = false;
            boolean hasLetter = false;
            boolean hasUnsegmented = false;
            for (int i = 0; i < cps.length; i++) {
                int cp = cps[i];
                boolean unsegmented = isUnsegmented(cp);
                boolean word = !unsegmented && (Character.isLetterOrDigit(cp) || isSubstitutableSymbol(cp)
                        && i + 1 < cps.length && Character.isLetterOrDigit(cps[i + 1]) && !isUnsegmented(cps[i + 1]));
                if (word) {
                    if (!inToken) {
                        inToken = true;
                        starts[count] = compact.length();
                        raw.setLength(0);
                        hasLetter = false;
                    }
                    raw.appendCodePoint(cp);
                    hasLetter |= Character.isLetter(cp);
                    compact.appendCodePoint(substitute(cp));
                    continue;
                }
                if (inToken) {
                    inToken = false;
                    rawTokens[count] = raw.toString();
                    tokens[count] = canonicalWord(rawTokens[count], hasLetter);
                    ends[count++] = compact.length();
                }
                if (unsegmented) {
                    hasUnsegmented = true;
                    compact.appendCodePoint(cp);
                }
            }
            if (inToken) {
                rawTokens[count] = raw.toString();
                tokens[count] = canonicalWord(rawTokens[count], hasLetter);
                ends[count++] = compact.length();
            }
            boolean[] endsToken = new boolean[compact.length() + 1];
            for (int k = 0; k < count; k++) {
                endsToken[ends[k]] = true;
            }
            return new Text(Arrays.copyOf(tokens, count), Arrays.copyOf(rawTokens, count), Arrays.copyOf(starts, count),
                    Arrays.copyOf(ends, count), compact.toString(), endsToken, hasUnsegmented);
        }
    }

    /**
     * A word as matched: with letters, every character substituted (so {@code r3l1g10n} reads
     * {@code reiigion}, like {@code religion}); without letters, only its digits.
     */
    static String canonicalWord(String rawToken, boolean hasLetter) {
        StringBuilder out = new StringBuilder(rawToken.length());
        rawToken.codePoints().forEach(cp -> {
            if (hasLetter) {
                out.appendCodePoint(substitute(cp));
            } else if (Character.isDigit(cp)) {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    /**
     * NFKD, lower case, without combining marks, format characters or apostrophes, look-alikes mapped.
     */
    static int[] clean(String input) {
        String decomposed = Normalizer.normalize(input, Normalizer.Form.NFKD).toLowerCase(Locale.ROOT);
        return decomposed.codePoints().filter(cp -> !isInvisible(cp)).map(ProtectedGroundScreen::lookAlike).toArray();
    }

    private static boolean isInvisible(int cp) {
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT) {
            return true;
        }
        switch (cp) {
            case '\'', '\u2018', '\u2019', '\u02bc', '\u02b9', '\u0060', '\u00b4', '\u2032', '\uff07':
            case '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800':
                return true;
            default:
                return false;
        }
    }

    /** Cyrillic and Greek letters that imitate Latin ones, and a few Latin variants. */
    private static int lookAlike(int cp) {
        switch (cp) {
            case '\u0430': case '\u03b1': case '\u0251': return 'a';
            case '\u0432': case '\u03b2': return 'b';
            case '\u0441': return 'c';
            case '\u0501': return 'd';
            case '\u0435': case '\u03b5': return 'e';
            case '\u0261': return 'g';
            case '\u043d': case '\u04bb': return 'h';
            case '\u0456': case '\u03b9': case '\u0131': case '\u04cf': return 'i';
            case '\u0458': return 'j';
            case '\u043a': case '\u03ba': return 'k';
            case '\u043c': case '\u03bc': return 'm';
            case '\u043e': case '\u03bf': return 'o';
            case '\u0440': case '\u03c1': return 'p';
            case '\u051b': return 'q';
            case '\u0455': return 's';
            case '\u0442': case '\u03c4': return 't';
            case '\u03c5': return 'u';
            case '\u03bd': return 'v';
            case '\u051d': case '\u03c9': return 'w';
            case '\u0445': case '\u03c7': return 'x';
            case '\u0443': return 'y';
            default: return cp;
        }
    }

    private static boolean isSubstitutableSymbol(int cp) {
        return cp == '@' || cp == '$' || cp == '!' || cp == '|';
    }

    /** Look-alike digits and symbols inside words, and the {@code l}/{@code i} fold. */
    private static int substitute(int cp) {
        switch (cp) {
            case '0': return 'o';
            case '1': case '!': case '|': case 'l': return 'i';
            case '3': return 'e';
            case '4': case '@': return 'a';
            case '5': case '$': return 's';
            case '7': return 't';
            default: return cp;
        }
    }

    /** Scripts written without spaces between words: matched only on the compacted text. */
    static boolean isUnsegmented(int cp) {
        if (cp < 0x0e00) {
            return false;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        switch (script) {
            case HAN, HIRAGANA, KATAKANA, BOPOMOFO, THAI, LAO, KHMER, MYANMAR:
                return Character.isLetterOrDigit(cp) || Character.getType(cp) == Character.LETTER_NUMBER;
            default:
                return false;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Compiled vocabulary

    /** One expanded vocabulary term. {@code benign} are compacted contexts in which a match is not a finding. */
    private record Term(int order, ProtectedGround ground, String written, List<String> benign) {
    }

    private record Prefix(String prefix, WordNode next) {
    }

    private record CompactTerm(Term term, boolean prefix) {
    }

    private static final class WordNode {
        private Map<String, WordNode> exact = new HashMap<>();
        /** Prefix edges, indexed by their first {@code MIN_PREFIX} characters. */
        private Map<String, List<Prefix>> prefixes = new HashMap<>();
        private List<Term> ends = new ArrayList<>();

        WordNode exactChild(String word) {
            return exact.computeIfAbsent(word, w -> new WordNode());
        }

        WordNode prefixChild(String prefix) {
            List<Prefix> bucket = prefixes.computeIfAbsent(prefix.substring(0, MIN_PREFIX), k -> new ArrayList<>());
            for (Prefix p : bucket) {
                if (p.prefix().equals(prefix)) {
                    return p.next();
                }
            }
            WordNode child = new WordNode();
            bucket.add(new Prefix(prefix, child));
            return child;
        }

        void freeze() {
            exact.values().forEach(WordNode::freeze);
            prefixes.values().forEach(bucket -> bucket.forEach(p -> p.next().freeze()));
            exact = Map.copyOf(exact);
            Map<String, List<Prefix>> frozen = new HashMap<>();
            prefixes.forEach((key, bucket) -> frozen.put(key, List.copyOf(bucket)));
            prefixes = Map.copyOf(frozen);
            ends = List.copyOf(ends);
        }
    }

    private static final class CharNode {
        private final TreeMap<Character, CharNode> building = new TreeMap<>();
        private char[] keys = new char[0];
        private CharNode[] children = new CharNode[0];
        private List<CompactTerm> ends = new ArrayList<>();

        CharNode child(char c) {
            return building.computeIfAbsent(c, k -> new CharNode());
        }

        CharNode next(char c) {
            int i = Arrays.binarySearch(keys, c);
            return i >= 0 ? children[i] : null;
        }

        void freeze() {
            keys = new char[building.size()];
            children = new CharNode[building.size()];
            int i = 0;
            for (Map.Entry<Character, CharNode> e : building.entrySet()) {
                keys[i] = e.getKey();
                children[i] = e.getValue();
                e.getValue().freeze();
                i++;
            }
            building.clear();
            ends = List.copyOf(ends);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Vocabulary compiler

    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]{2,8})*");
    /** A prefix term ({@code word*}) needs at least this many letters. */
    private static final int MIN_PREFIX = 3;
    private static final int COMPACT_MIN_WORD = 6;
    private static final int COMPACT_MIN_PHRASE_WORD = 4;
    private static final int COMPACT_MIN_PHRASE = 9;

    /** One word of a term: its exact forms, or a prefix. */
    private record Element(List<String> forms, boolean prefix) {
    }

    private static final class Compiler {
        private final String source;
        private final WordNode wordRoot = new WordNode();
        private final CharNode boundedRoot = new CharNode();
        private final CharNode unboundedRoot = new CharNode();
        private final List<VocabularyEntry> entries = new ArrayList<>();
        private final Map<ProtectedGround, Set<String>> keys = new HashMap<>();
        private int order;
        private int line;

        Compiler(String source) {
            this.source = source;
        }

        ProtectedGroundScreen compile(String vocabulary) {
            String[] lines = vocabulary.split("\r?\n", -1);
            for (line = 1; line <= lines.length; line++) {
                String text = lines[line - 1].strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                compileLine(text);
            }
            if (entries.isEmpty()) {
                throw new IllegalArgumentException(source + ": the vocabulary has no terms");
            }
            wordRoot.freeze();
            boundedRoot.freeze();
            unboundedRoot.freeze();
            return new ProtectedGroundScreen(entries, wordRoot, boundedRoot, unboundedRoot);
        }

        private IllegalArgumentException error(String message) {
            return new IllegalArgumentException(source + ":" + line + ": " + message);
        }

        private void compileLine(String text) {
            String[] fields = text.split("\\|", -1);
            if (fields.length < 3 || fields.length > 4) {
                throw error("expected GROUND | language | term [| options], got " + fields.length + " fields");
            }
            ProtectedGround ground;
            try {
                ground = ProtectedGround.valueOf(fields[0].strip());
            } catch (IllegalArgumentException e) {
                throw error("unknown ground '" + fields[0].strip() + "'");
            }
            String language = fields[1].strip();
            if (!LANGUAGE.matcher(language).matches()) {
                throw error("language '" + language + "' is not a tag such as en, zh-Hans, zh-Hant");
            }
            String term = fields[2].strip();
            if (term.isEmpty()) {
                throw error("empty term");
            }
            boolean compactable = true;
            List<String> benign = new ArrayList<>();
            if (fields.length == 4) {
                for (String option : fields[3].split(";")) {
                    String o = option.strip();
                    if (o.isEmpty()) {
                        continue;
                    }
                    if (o.equals("nocompact")) {
                        compactable = false;
                    } else if (o.startsWith("not=")) {
                        for (String context : o.substring(4).split("/")) {
                            for (String variant : expand(context.strip())) {
                                String compacted = Text.of(variant).compact;
                                if (compacted.isEmpty()) {
                                    throw error("empty not= context in '" + o + "'");
                                }
                                benign.add(compacted);
                            }
                        }
                    } else {
                        throw error("unknown option '" + o + "' (known: nocompact, not=a/b/c)");
                    }
                }
            }
            entries.add(new VocabularyEntry(ground, language, term, line));
            for (String variant : expand(term)) {
                compileTerm(ground, variant, compactable, List.copyOf(benign));
            }
        }

        /** Expands {@code {a,b,}} alternatives (an empty alternative drops the group). */
        private List<String> expand(String pattern) {
            List<String> results = new ArrayList<>(List.of(""));
            int i = 0;
            while (i < pattern.length()) {
                char c = pattern.charAt(i);
                if (c == '{') {
                    int close = pattern.indexOf('}', i);
                    if (close < 0) {
                        throw error("unclosed { in '" + pattern + "'");
                    }
                    String[] options = pattern.substring(i + 1, close).split(",", -1);
                    List<String> next = new ArrayList<>();
                    for (String prefix : results) {
                        for (String option : options) {
                            if (option.indexOf('{') >= 0) {
                                throw error("nested { in '" + pattern + "'");
                            }
                            next.add(prefix + option.strip());
                        }
                    }
                    results = next;
                    i = close + 1;
                } else if (c == '}') {
                    throw error("unopened } in '" + pattern + "'");
                } else {
                    int j = i;
                    while (j < pattern.length() && pattern.charAt(j) != '{' && pattern.charAt(j) != '}') {
                        j++;
                    }
                    String literal = pattern.substring(i, j);
                    results.replaceAll(prefix -> prefix + literal);
                    i = j;
                }
            }
            List<String> out = new ArrayList<>();
            for (String r : results) {
                String collapsed = r.strip().replaceAll("\\s+", " ");
                if (!collapsed.isEmpty()) {
                    out.add(collapsed);
                }
            }
            return out;
        }

        private void compileTerm(ProtectedGround ground, String written, boolean compactable, List<String> benign) {
            Term term = new Term(order++, ground, written, benign);
            String plain = written.replace("*", "").replace("~", "");
            Text whole = Text.of(plain);
            if (whole.hasUnsegmented) {
                if (!plain.equals(written)) {
                    throw error("'" + written + "': * and ~ are for words, not for Chinese terms");
                }
                claim(ground, "compact:" + whole.compact, written);
                insertChars(unboundedRoot, whole.compact, new CompactTerm(term, false));
                return;
            }
            List<Element> elements = new ArrayList<>();
            List<Integer> wordLetters = new ArrayList<>();
            for (String word : written.split(" ")) {
                char marker = word.charAt(word.length() - 1);
                boolean prefix = marker == '*';
                boolean inflect = marker == '~';
                String bare = prefix || inflect ? word.substring(0, word.length() - 1) : word;
                if (bare.indexOf('*') >= 0 || bare.indexOf('~') >= 0) {
                    throw error("'" + written + "': * and ~ may only end a word");
                }
                Text t = Text.of(bare);
                if (t.tokens.length == 0) {
                    throw error("'" + written + "': the word '" + word + "' has no letters");
                }
                int letters = 0;
                for (int k = 0; k < t.tokens.length; k++) {
                    letters += t.tokens[k].length();
                    boolean last = k == t.tokens.length - 1;
                    if (last && inflect) {
                        elements.add(new Element(inflections(t.rawTokens[k]), false));
                    } else {
                        if (last && prefix && t.tokens[k].length() < MIN_PREFIX) {
                            throw error("'" + written + "': a prefix needs at least " + MIN_PREFIX + " letters");
                        }
                        elements.add(new Element(List.of(t.tokens[k]), last && prefix));
                    }
                }
                wordLetters.add(letters);
            }
            StringBuilder key = new StringBuilder("words:");
            for (Element e : elements) {
                key.append(e.prefix() ? "*" : "=").append(e.forms().get(0)).append(e.forms().size()).append(' ');
            }
            claim(ground, key.toString(), written);
            insertWords(wordRoot, elements, 0, term);
            if (compactable && isDistinctive(wordLetters) && prefixOnlyLast(elements)) {
                for (String form : compactForms(elements)) {
                    insertChars(boundedRoot, form,
                            new CompactTerm(term, elements.get(elements.size() - 1).prefix()));
                }
            }
        }

        private void claim(ProtectedGround ground, String key, String written) {
            if (!keys.computeIfAbsent(ground, g -> new HashSet<>()).add(key)) {
                throw error("'" + written + "' duplicates an earlier term of " + ground);
            }
        }

        private boolean isDistinctive(List<Integer> wordLetters) {
            if (wordLetters.size() == 1) {
                return wordLetters.get(0) >= COMPACT_MIN_WORD;
            }
            int total = 0;
            for (int letters : wordLetters) {
                if (letters < COMPACT_MIN_PHRASE_WORD) {
                    return false;
                }
                total += letters;
            }
            return total >= COMPACT_MIN_PHRASE;
        }

        private static boolean prefixOnlyLast(List<Element> elements) {
            for (int i = 0; i < elements.size() - 1; i++) {
                if (elements.get(i).prefix()) {
                    return false;
                }
            }
            return true;
        }

        private static List<String> compactForms(List<Element> elements) {
            List<String> forms = new ArrayList<>(List.of(""));
            for (Element e : elements) {
                List<String> next = new ArrayList<>();
                for (String f : forms) {
                    for (String w : e.forms()) {
                        next.add(f + w);
                    }
                }
                forms = next;
            }
            return forms;
        }

        private static void insertWords(WordNode node, List<Element> elements, int i, Term term) {
            if (i == elements.size()) {
                node.ends.add(term);
                return;
            }
            Element e = elements.get(i);
            if (e.prefix()) {
                insertWords(node.prefixChild(e.forms().get(0)), elements, i + 1, term);
            } else {
                for (String form : e.forms()) {
                    insertWords(node.exactChild(form), elements, i + 1, term);
                }
            }
        }

        private static void insertChars(CharNode root, String form, CompactTerm term) {
            CharNode node = root;
            for (int i = 0; i < form.length(); i++) {
                node = node.child(form.charAt(i));
            }
            node.ends.add(term);
        }
    }

    /**
     * The regular English inflections of a word (before the look-alike fold, so that "rally" still ends in a
     * consonant and y): -s, -es, -ed, -ing, -er, -ers, with e-dropping, y→ies/ied and a doubled final
     * consonant. Over-generating nonsense forms is harmless: they never occur in text.
     */
    static List<String> inflections(String raw) {
        Set<String> forms = new LinkedHashSet<>();
        forms.add(raw);
        for (String suffix : List.of("s", "es", "ed", "ing", "er", "ers")) {
            forms.add(raw + suffix);
        }
        int n = raw.length();
        if (raw.endsWith("e")) {
            String stem = raw.substring(0, n - 1);
            for (String suffix : List.of("d", "r", "rs")) {
                forms.add(raw + suffix);
            }
            forms.add(stem + "ing");
        }
        if (n > 1 && raw.endsWith("y") && !isVowel(raw.charAt(n - 2))) {
            String stem = raw.substring(0, n - 1);
            for (String suffix : List.of("ies", "ied", "ier", "iers")) {
                forms.add(stem + suffix);
            }
        }
        if (n >= 3 && isConsonant(raw.charAt(n - 1)) && "wxy".indexOf(raw.charAt(n - 1)) < 0
                && isVowel(raw.charAt(n - 2)) && isConsonant(raw.charAt(n - 3))) {
            char last = raw.charAt(n - 1);
            for (String suffix : List.of("ed", "ing", "er", "ers")) {
                forms.add(raw + last + suffix);
            }
        }
        List<String> out = new ArrayList<>();
        for (String form : forms) {
            out.add(canonicalWord(form, true));
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    private static boolean isVowel(char c) {
        return "aeiou".indexOf(c) >= 0;
    }

    private static boolean isConsonant(char c) {
        return c >= 'a' && c <= 'z' && !isVowel(c);
    }
}
