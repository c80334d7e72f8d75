package answer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Question is the detector's verdict on one line of chat.
type Question struct {
	// Is reports whether the line asks for something the bot might answer.
	Is bool
	// Lang is the language the line is written in: LangEnglish or
	// LangChinese. It is set whatever Is says, so a later stage can reply
	// in the viewer's language.
	Lang string
	// Why names the cue that decided, such as "wh-word" or "greeting". It is
	// meant for logs and replay output, where a moderator asks "why did the
	// bot answer that?", not for code to branch on.
	Why string
}

// Reasons a Question carries in Why. The Chinese cues carry the marker that
// matched, as in "zh particle 吗", and are listed in zhMarkers.
const (
	whyEmpty        = "empty"
	whyCommand      = "command"
	whyOtherViewer  = "addressed to another viewer"
	whyEmoteOnly    = "emote only"
	whyNoWords      = "no words"
	whyGreeting     = "greeting"
	whyReaction     = "reaction"
	whyStatement    = "statement"
	whyQuestionMark = "question mark"
	whyWh           = "wh-word"
	whyAux          = "aux inversion"
	whyRequest      = "request"
	whyIndirect     = "indirect question"
	whyANotA        = "zh A-not-A"
)

// Detector decides whether a chat line is a question the bot should try to
// answer. It runs on every message of every channel, so it works from word
// lists over a fixed-size scan of the text, without regular expressions or
// allocations, and errs towards silence: a missed question can still be
// asked again or sent with !ask, while a bot that answers jokes and
// reactions gets muted by the streamer.
//
// The zero value is ready to use.
type Detector struct {
	// Names are logins (the bot's, the broadcaster's) a viewer may
	// @-mention, or name as the first word, in a question meant for us. A
	// line that @-mentions only other logins is a conversation between
	// viewers and is left alone. Matching ignores case and a leading '@'.
	Names []string
}

// Detect reads one chat line and says whether it is a question, in which
// language, and why.
//
// English lines count when a clause ends in '?', opens with a wh-word or an
// inverted auxiliary ("can I", "is there"), or asks for information without
// question syntax ("tell me your specs", "need the discord link", "anyone
// know…"). Chinese lines count on question particles and words (吗, 什么,
// 怎么, 哪, 是不是 and other A-not-A forms, 请问, 求…). Either way, short
// reactions that are shaped like questions ("is this real", "no way?!",
// "wtf?", "真的假的", "什么鬼") do not count: they react to the stream and
// expect no answer. Commands, greetings, emote spam and lines addressed to
// another viewer never count.
func (d Detector) Detect(text string) Question {
	q := Question{Lang: LangEnglish, Why: whyStatement}
	text = strings.TrimSpace(text)
	if text == "" {
		q.Why = whyEmpty
		return q
	}
	if text[0] == '!' {
		q.Lang, q.Why = DetectLang(text), whyCommand
		return q
	}

	var s enScan
	s.scan(text)
	q.Lang = s.lang(text)
	if s.addressedElsewhere(d.Names) {
		q.Why = whyOtherViewer
		return q
	}
	if s.han == 0 {
		if why, ok := s.noContent(); ok {
			q.Why = why
			return q
		}
	}

	// Both scripts are read whatever the language: a Chinese viewer writes
	// "有没有discord" and an English one may quote a Chinese word.
	enWhy, enIs := s.evaluate(d.Names)
	if enIs {
		q.Is, q.Why = true, enWhy
		return q
	}
	if s.han > 0 {
		zhWhy, zhIs := detectZh(text)
		if zhIs {
			q.Is, q.Why = true, zhWhy
			return q
		}
		if q.Lang == LangChinese || enWhy == whyStatement {
			q.Why = zhWhy
			return q
		}
	}
	q.Why = enWhy
	return q
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// isName reports whether token k is one of names, ignoring ASCII case and
// a leading '@' on the name.
func (s *enScan) isName(k int, names []string) bool {
	w := s.w(k)
	for _, n := range names {
		if len(n) > 0 && n[0] == '@' {
			n = n[1:]
		}
		if len(n) != len(w) || n == "" {
			continue
		}
		same := true
		for i := 0; i < len(n); i++ {
			c := n[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != w[i] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// ---- English ----

// wordClass is a set of roles a word can play in the English rules.
type wordClass uint32

const (
	cWh          wordClass = 1 << iota // what, where, how…
	cAux                               // is, can, does… that may open a yes/no question
	cAuxNeg                            // don't, can't… which open statements unless a subject follows
	cBe                                // forms of "be", which need an explicit subject
	cHave                              // forms of "have", which need a personal subject
	cSubject                           // words that can follow an inverted auxiliary
	cPersonal                          // subjects that are people (or "there")
	cLead                              // fillers skipped at the start of a clause
	cGreet                             // greetings
	cLaugh                             // laughter, dropped at the end of a clause
	cEmote                             // well-known emote names
	cRequest                           // imperative verbs that ask for information or an action
	cExclaim                           // adjectives that make "how …" an exclamation
	cNotAfterAux                       // words after an auxiliary that show a statement
	cVocative                          // words that address the room and may close a clause
	cIndirect                          // words that can start an indirect question mid-clause
	cDesire                            // words that can open a wish to know ("i need…", "looking for…")
)

// lexicon maps lower-cased words, apostrophes removed ("what's" → "whats"),
// to their classes. Detect reads it through lookup, which does not
// allocate.
var lexicon = buildLexicon()

func buildLexicon() map[string]wordClass {
	m := make(map[string]wordClass, 512)
	add := func(c wordClass, words ...string) {
		for _, w := range words {
			m[w] |= c
		}
	}
	add(cWh, "what", "whats", "wat", "wut", "wot", "whut", "wht", "where", "wheres", "when", "whens",
		"why", "whys", "how", "hows", "who", "whos", "whose", "whom", "which", "wich")
	add(cAux, "is", "are", "am", "was", "were", "r", "do", "does", "did", "can", "could", "will",
		"would", "should", "shall", "may", "might", "must", "have", "has", "had")
	add(cAuxNeg, "isnt", "arent", "wasnt", "werent", "dont", "doesnt", "didnt", "cant", "couldnt",
		"wont", "wouldnt", "shouldnt", "havent", "hasnt", "hadnt")
	add(cBe, "is", "are", "am", "was", "were", "r", "isnt", "arent", "wasnt", "werent")
	add(cHave, "have", "has", "had", "havent", "hasnt", "hadnt")
	add(cPersonal|cSubject, "i", "you", "u", "ya", "yall", "he", "she", "it", "we", "they", "there",
		"anyone", "anybody", "any1", "someone", "somebody", "everyone", "everybody", "chat", "mods",
		"streamer")
	add(cSubject, "this", "that", "these", "those", "any", "anything", "something", "the", "my",
		"your", "ur", "his", "her", "their", "our", "its", "stream", "today", "tonight", "tomorrow",
		"tonights", "todays")
	add(cLead, "hey", "hi", "hello", "heya", "hiya", "yo", "yoo", "ayo", "ay", "ayy", "so", "btw",
		"ok", "okay", "k", "oh", "ohh", "um", "umm", "uh", "uhh", "hmm", "hmmm", "hm", "also", "and",
		"but", "well", "guys", "chat", "bro", "bruh", "dude", "mate", "sorry", "excuse", "quick",
		"question", "q", "qq", "ques", "pls", "please", "plz", "mods", "streamer", "everyone", "folks",
		"wait", "now", "then", "alright", "right", "anyway", "anyways", "basically", "actually",
		"honestly", "real", "lol", "lmao", "kekw", "lul", "omg", "welcome", "back", "morning", "evening",
		"night", "sup", "wassup", "howdy", "hola", "gm", "gn", "ello", "hai", "henlo", "fam")
	add(cGreet, "hi", "hello", "hey", "heya", "hiya", "howdy", "yo", "yoo", "sup", "wassup", "wazzup",
		"whatsup", "hola", "gm", "gn", "goodnight", "gnight", "morning", "evening", "night", "bye",
		"byee", "cya", "welcome", "greetings", "hai", "henlo", "hallo", "ello", "bonjour", "salut")
	add(cLaugh, "lol", "lool", "lolol", "lmao", "lmfao", "rofl", "xd", "xdd", "haha", "hahaha",
		"hahahaha", "hah", "heh", "hehe", "kek", "kekw", "lul", "lulw", "omegalul", "icant")
	add(cEmote, "kappa", "keepo", "kreygasm", "pogchamp", "poggers", "pog", "pogu", "lul", "lulw",
		"kekw", "kek", "omegalul", "pepega", "pepehands", "pepelaugh", "monkas", "monkaw", "sadge",
		"copium", "hopium", "residentsleeper", "biblethump", "frankerz", "4head", "trihard", "wutface",
		"notlikethis", "seemsgood", "heyguys", "jebaited", "pjsalt", "babyrage", "dansgame",
		"swiftrage", "coolstorybob", "failfish", "elegiggle", "ez", "clap", "xd", "xdd")
	add(cRequest, "tell", "give", "gimme", "show", "send", "share", "drop", "post", "link", "find",
		"check", "list", "explain", "define", "translate", "convert", "calculate", "compute", "search",
		"google", "remind", "recommend", "suggest", "name", "describe", "spell", "locate", "track",
		"teach", "clarify", "recite", "lookup", "look", "help", "let", "lemme", "play", "skip",
		"change", "switch", "start", "put", "repeat", "read", "provide", "identify", "inform", "go",
		"move")
	add(cExclaim, "cool", "nice", "good", "great", "lucky", "cute", "sad", "funny", "bad", "sweet",
		"awesome", "crazy", "insane", "rude", "wholesome", "beautiful", "amazing", "fun", "weird",
		"strange", "lovely", "dumb", "stupid", "unlucky", "clean", "smooth", "cringe", "wild", "sick",
		"dare", "cursed", "hard", "pretty", "adorable", "scary")
	add(cNotAfterAux, "be", "been", "not", "have", "confirm", "relate", "agree", "tell", "see", "hear",
		"feel", "go", "do", "wait", "imagine", "believe", "never", "also", "only", "just", "probably",
		"definitely", "totally", "really", "always", "still", "so", "too", "even", "literally", "get",
		"happen", "says", "said", "ever", "care", "stop", "love", "like", "recommend", "rather", "use")
	add(cIndirect, "anyone", "anybody", "any1", "someone", "somebody", "wonder", "wondering", "any",
		"wanna", "needa", "to", "let", "lemme", "question", "please", "pls", "plz", "can", "could",
		"do", "does", "would", "will")
	add(cDesire, "i", "we", "id", "wed", "im", "were", "wonder", "wondering", "curious", "looking",
		"searching", "trying", "tryna", "wanna", "needa", "gotta", "hafta", "must", "need", "want",
		"like", "love", "wish", "have", "needed", "wanted", "really", "just", "also", "kinda", "still",
		"actually", "am", "was", "is", "are")
	add(cVocative, "chat", "guys", "bro", "bruh", "dude", "mate", "folks", "fam", "yall", "mods",
		"everyone", "friends", "people")
	return m
}

// shortLexicon holds the lexicon's words of up to eight bytes, keyed by
// the bytes packed into an integer, in an open-addressing table. Most chat
// words are that short, and this lookup runs for every word of every
// message: hashing one integer and probing an array costs a fraction of a
// string-keyed map access.
var shortLexicon = func() *[1 << shortBits]shortEntry {
	var t [1 << shortBits]shortEntry
	for w, c := range lexicon {
		if len(w) > 8 {
			continue
		}
		k := packWord([]byte(w))
		for h := shortHash(k); ; h = (h + 1) & (1<<shortBits - 1) {
			if t[h].key == 0 {
				t[h] = shortEntry{key: k, class: c}
				break
			}
		}
	}
	return &t
}()

// shortBits sizes shortLexicon at more than twice the number of words, so
// probes stay short.
const shortBits = 11

type shortEntry struct {
	key   uint64 // packed word; 0 marks an empty slot, which no word packs to
	class wordClass
}

func shortHash(k uint64) uint64 { return (k * 0x9e3779b97f4a7c15) >> (64 - shortBits) }

func packWord(w []byte) uint64 {
	var k uint64
	for i, c := range w {
		k |= uint64(c) << (8 * i)
	}
	return k
}

// lookup returns the classes of a lower-cased word.
func lookup(w []byte) wordClass {
	switch {
	case len(w) == 0:
		return 0
	case len(w) <= 8:
		k := packWord(w)
		for h := shortHash(k); ; h = (h + 1) & (1<<shortBits - 1) {
			switch e := shortLexicon[h]; e.key {
			case k:
				return e.class
			case 0:
				return 0
			}
		}
	case len(w) > 16:
		return 0 // longer than any word in the lexicon
	}
	return lexicon[string(w)]
}

// reactions are whole clauses (lower case, apostrophes dropped, laughter
// and emotes at the end removed) that look like questions but react to the
// stream instead of asking anything. "what" and "why" alone belong here:
// nobody's FAQ answers them.
var reactions = []string{
	"what", "wat", "wut", "wot", "huh", "wtf", "wth", "tf", "omg", "omfg", "bruh", "really", "fr",
	"frfr", "for real", "seriously", "no way", "no shot", "why", "how", "who",
	"what the", "what the hell", "what the heck", "what the fuck", "what the f", "what the frick",
	"what the actual", "are you serious", "are u serious", "r u serious", "you serious", "u serious",
	"is this real", "is that real", "is this real life", "is this for real", "is that for real",
	"is this a joke", "are you kidding", "are you kidding me", "are u kidding me", "you kidding",
	"is this guy ok", "is this guy serious", "you ok", "u ok", "you good", "u good", "why not", "why me", "how tho",
	"how though", "who asked", "who cares", "who knows", "what is this", "what was that",
	"whats this", "whats that", "what is that", "what is happening", "whats happening", "what just happened",
	"what did i just watch", "what did i just see", "what am i watching", "how is that possible",
	"how did he do that", "how did she do that", "is this even legal", "can he do that",
	"can they do that", "did that just happen", "tell me about it", "name a better duo",
	"you know what", "guess what", "what do you know",
}

// reactionPrefixes open a reaction whatever follows ("did he just …").
var reactionPrefixes = []string{
	"did he just", "did she just", "did you just", "did they just", "did i just", "did we just",
	"what the hell", "what the heck", "what the fuck", "what the frick", "are you kidding",
	"give me a break", "check out", "check this out", "check my", "name a better",
}

const (
	maxTokens  = 64
	maxClauses = 16
	lowCap     = 512
)

// token is one word of the line. Its lower-cased form lives in enScan.low.
type token struct {
	lo, hi  uint16
	class   wordClass
	letters bool // has at least one letter
	camel   bool // a capital after a small letter: PogChamp, monkaS
	caps    bool // two or more letters, all capitals: LUL, KEKW
	mention bool // written as @name
}

// clause is a run of tokens between sentence punctuation.
type clause struct {
	first, end uint8 // token range
	q          bool  // ended by '?'
	bang       bool  // a '!' touched that '?' ("no way?!")
}

// enScan holds one line broken into tokens and clauses. It lives on the
// stack of Detect.
type enScan struct {
	low     [lowCap]byte
	nlow    int
	toks    [maxTokens]token
	ntok    int
	clauses [maxClauses]clause
	ncl     int
	han     int  // Han characters seen
	latin   int  // words DetectLang would count against them
	exotic  bool // letters of another script, which DetectLang reads differently
	realQ   bool // some clause with words ends in '?' without '!'
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// scan breaks text into tokens and clauses.
func (s *enScan) scan(text string) {
	s.ncl = 1
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case isWordByte(c), c == '@' && i+1 < len(text) && isWordByte(text[i+1]):
			i = s.word(text, i)
			continue
		case c < utf8.RuneSelf:
			i = s.punct(text, i)
			continue
		}
		r, size := decodeRune(text[i:])
		switch {
		case isHan(r):
			s.han++
			i += size
		case r == '？' || r == '！' || r == '。' || r == '，' || r == '；' || r == '：' || r == '…':
			i = s.punct(text, i)
		case unicode.IsLetter(r):
			i = s.word(text, i)
		default:
			i += size
		}
	}
	s.closeClause()
}

// word reads the word at text[i:] and returns the index after it.
func (s *enScan) word(text string, i int) int {
	t := token{lo: uint16(s.nlow)}
	if text[i] == '@' {
		t.mention = true
		i++
	}
	var lower, upper bool
	letters := 0
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z':
				lower = true
				letters++
			case 'A' <= c && c <= 'Z':
				if lower {
					t.camel = true
				}
				upper = true
				letters++
				c += 'a' - 'A'
			case '0' <= c && c <= '9' || c == '_':
			case c == '\'' && i+1 < len(text) && isWordByte(text[i+1]):
				i++ // "what's" is looked up as "whats"
				continue
			default:
				goto done
			}
			if s.nlow < lowCap {
				s.low[s.nlow] = c
				s.nlow++
			}
			i++
			continue
		}
		r, size := decodeRune(text[i:])
		if r == '\u2019' {
			i += size
			continue
		}
		if !unicode.IsLetter(r) || isHan(r) {
			break
		}
		if !unicode.Is(unicode.Latin, r) {
			s.exotic = true
		}
		if unicode.IsUpper(r) {
			if lower {
				t.camel = true
			}
			upper = true
		} else {
			lower = true
		}
		letters++
		if s.nlow+size <= lowCap {
			copy(s.low[s.nlow:], text[i:i+size])
			s.nlow += size
		}
		i += size
	}
done:
	t.hi = uint16(s.nlow)
	t.letters = letters > 0
	t.caps = letters > 1 && upper && !lower
	if t.letters && !t.camel && !t.caps {
		s.latin++
	}
	if s.ntok < maxTokens {
		t.class = lookup(s.low[t.lo:t.hi])
		s.toks[s.ntok] = t
		s.ntok++
	}
	return i
}

// punct reads a run of punctuation and spaces at text[i:], ending the
// current clause where the run is sentence punctuation, and returns the
// index after the run.
func (s *enScan) punct(text string, i int) int {
	start := i
	var q, bang, boundary bool
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			if isWordByte(c) || c == '@' && i+1 < len(text) && isWordByte(text[i+1]) {
				break
			}
			switch c {
			case '?':
				q = true
			case '!':
				bang = true
			case '.', ',', ';', ':', '\n', '\r':
				boundary = true
			}
			i++
			continue
		}
		r, size := decodeRune(text[i:])
		switch r {
		case '？':
			q = true
		case '！':
			bang = true
		case '。', '，', '；', '：', '…':
			boundary = true
		default:
			if unicode.IsLetter(r) || isHan(r) {
				return i
			}
		}
		i += size
	}
	// Punctuation glued to text on both sides is part of a URL, a number or
	// a time ("/?ref=", "3.5", "12:30"), not the end of a sentence.
	if start > 0 && i < len(text) && !isASCIISpace(text[start-1]) &&
		(isWordByte(text[i]) || text[i] == '=') && !hasSpace(text[start:i]) {
		return i
	}
	if q || bang || boundary {
		cl := &s.clauses[s.ncl-1]
		if q {
			cl.q = true
			cl.bang = cl.bang || bang
		} else if bang && cl.q {
			cl.bang = true
		}
		s.closeClause()
	}
	return i
}

func hasSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if isASCIISpace(s[i]) {
			return true
		}
	}
	return false
}

// closeClause ends the current clause and opens the next one, unless the
// current one is still empty or there is no room left.
func (s *enScan) closeClause() {
	cl := &s.clauses[s.ncl-1]
	cl.end = uint8(s.ntok)
	if cl.end == cl.first {
		*cl = clause{first: cl.first, end: cl.end}
		return
	}
	if cl.q && !cl.bang {
		for k := cl.first; k < cl.end; k++ {
			if s.toks[k].letters {
				s.realQ = true
				break
			}
		}
	}
	if s.ncl < maxClauses {
		s.ncl++
		s.clauses[s.ncl-1] = clause{first: uint8(s.ntok), end: uint8(s.ntok)}
	}
}

// w returns token k's lower-cased form. Comparing it with a constant or
// using it as a map key does not allocate.
func (s *enScan) w(k int) []byte { return s.low[s.toks[k].lo:s.toks[k].hi] }

func (s *enScan) is(k int, word string) bool {
	return k >= 0 && k < s.ntok && string(s.w(k)) == word
}

func (s *enScan) class(k int, end int) wordClass {
	if k >= end {
		return 0
	}
	return s.toks[k].class
}

// emoteLike reports whether token k looks like an emote rather than a word.
// All-capital words count only on lines without a real question mark, so
// that "PC SPECS?" is still read as words.
func (s *enScan) emoteLike(k int) bool {
	t := s.toks[k]
	if t.camel || t.class&cEmote != 0 {
		return true
	}
	return t.caps && !s.realQ && t.class&^(cLaugh|cEmote) == 0
}

// addressedElsewhere reports whether the line @-mentions, at its start or
// its end, only logins other than names.
func (s *enScan) addressedElsewhere(names []string) bool {
	ours, others := false, false
	check := func(k int) {
		if s.isName(k, names) {
			ours = true
		} else {
			others = true
		}
	}
	k := 0
	for ; k < s.ntok && s.toks[k].mention; k++ {
		check(k)
	}
	if last := s.ntok - 1; last >= k && s.toks[last].mention {
		check(last)
	}
	return others && !ours
}

// noContent reports lines with nothing to read: no words at all, only
// emotes, or only laughter.
func (s *enScan) noContent() (string, bool) {
	letters, emotes := false, false
	for k := 0; k < s.ntok; k++ {
		t := s.toks[k]
		if !t.letters {
			continue
		}
		letters = true
		switch {
		case s.emoteLike(k):
			emotes = true
		case t.class&cLaugh != 0:
		default:
			return "", false
		}
	}
	switch {
	case !letters:
		return whyNoWords, true
	case emotes:
		return whyEmoteOnly, true
	}
	return whyReaction, true
}

// evaluate runs the English rules over each clause in turn and stops at the
// first one that asks something. When none does, the reason reported is the
// most telling one seen: a reaction, then a greeting, then "statement".
func (s *enScan) evaluate(names []string) (string, bool) {
	why := whyStatement
	for ci := 0; ci < s.ncl; ci++ {
		cl := s.clauses[ci]
		if cl.end == cl.first {
			continue
		}
		v, ok := s.clauseVerdict(cl, names)
		if ok {
			return v, true
		}
		if v == whyReaction || v == whyGreeting && why == whyStatement {
			why = v
		}
	}
	// "next song, please!": the plea sits in a clause of its own.
	if last := s.ntok - 1; s.ncl > 1 && last > 0 && last < 8 && why == whyStatement &&
		s.oneOf(last, s.ntok, "please", "pls", "plz") && s.toks[0].class&(cGreet|cLaugh) == 0 {
		return whyRequest, true
	}
	return why, false
}

func (s *enScan) clauseVerdict(cl clause, names []string) (string, bool) {
	i, end := int(cl.first), int(cl.end)
	greeted := false
	for i < end {
		t := s.toks[i]
		if t.class&cGreet != 0 {
			greeted = true
		}
		if t.mention || t.class&cLead != 0 || s.isName(i, names) || s.emoteLike(i) {
			if s.is(i, "excuse") && i+1 < end && s.is(i+1, "me") {
				i++
			}
			i++
			continue
		}
		break
	}
	laughed, pleaded := false, false
	for end > i {
		k := end - 1
		t := s.toks[k]
		switch {
		case t.class&cLaugh != 0:
			laughed = true
		case s.is(k, "pls") || s.is(k, "please") || s.is(k, "plz") || s.is(k, "plez"):
			pleaded = true
		case t.mention || t.class&cVocative != 0 || s.isName(k, names) || s.emoteLike(k):
		default:
			goto trimmed
		}
		end--
	}
trimmed:
	n := end - i
	if n == 0 {
		if greeted {
			return whyGreeting, false
		}
		return whyStatement, false
	}
	if s.smallTalk(i, end) {
		return whyGreeting, false
	}
	if s.reaction(i, end, laughed) || s.exclamation(i, end) {
		return whyReaction, false
	}
	if cl.q && !cl.bang {
		return whyQuestionMark, true
	}
	c0 := s.toks[i].class
	switch {
	case c0&cWh != 0 && !s.subordinate(i, end):
		return whyWh, true
	case c0&(cAux|cAuxNeg) != 0 && s.inversion(i, end, names):
		return whyAux, true
	case s.request(i, end):
		return whyRequest, true
	}
	if why, ok := s.desire(i, end); ok {
		return why, true
	}
	if s.indirect(i, end) {
		return whyIndirect, true
	}
	if s.inSitu(i, end) {
		return whyWh, true
	}
	if s.tagQuestion(i, end) || s.openCopula(i, end) {
		return whyAux, true
	}
	if pleaded && n <= 8 && c0&cGreet == 0 {
		return whyRequest, true
	}
	if greeted {
		return whyGreeting, false
	}
	return whyStatement, false
}

// inSitu finds a wh-word later in the clause that still asks: "20 yen is
// how many dollars", "on the speaker what song is playing", "from where did
// you originate", "denver's timezone is what". A wh-word after a verb of
// knowing ("idk what…", "that's why…") is embedded in a statement instead.
func (s *enScan) inSitu(i, end int) bool {
	prep := s.oneOf(i, end, "from", "in", "on", "at", "to", "for", "with", "about", "by")
	for k := i + 1; k < end; k++ {
		if s.toks[k].class&cWh == 0 {
			continue
		}
		if prep && k <= i+3 {
			return true
		}
		if s.oneOf(k-1, end, "know", "knows", "knew", "idk", "dunno", "wonder", "see", "saw", "tell",
			"told", "ask", "asked", "remember", "forgot", "understand", "care", "matter", "mean",
			"like", "love", "hate", "thats", "exactly", "no", "of", "about", "at", "to", "for", "from",
			"with", "in", "on", "by", "guess", "so", "is", "was", "realize", "explain",
			"believe", "imagine", "show", "heres", "theres", "and", "but", "or", "just", "watch") {
			// "is how many" and a closing "is what" still ask.
			if !(s.oneOf(k-1, end, "is", "was") && (k == end-1 || s.oneOf(k+1, end, "many", "much", "long", "far", "old"))) {
				continue
			}
		}
		switch {
		case s.oneOf(k, end, "how", "hows"):
			if s.oneOf(k+1, end, "many", "much", "long", "far", "old", "often", "big") {
				return true
			}
		case k == end-1:
			return !s.oneOf(k, end, "how", "why")
		case s.oneOf(k, end, "what", "which"):
			if s.toks[k+1].class&(cPersonal|cAux|cAuxNeg|cLaugh) == 0 && s.toks[k+1].letters {
				return true
			}
		}
	}
	return false
}

// subordinate reports a wh-word that opens a dependent clause rather than
// a question: "when i grow up…", "where i live it's raining".
func (s *enScan) subordinate(i, end int) bool {
	return s.oneOf(i, end, "when", "where", "whenever", "wherever") &&
		s.oneOf(i+1, end, "i", "he", "she", "we", "they", "im", "hes", "shes")
}

// tagQuestion finds a statement turned into a question by a tag at its end:
// "your a bot aren't you", "that's the discord isn't it".
func (s *enScan) tagQuestion(i, end int) bool {
	if end-i < 3 {
		return false
	}
	return s.toks[end-2].class&cAuxNeg != 0 && s.toks[end-1].class&cPersonal != 0
}

// openCopula finds a sentence about the reader left open for them to
// finish: "and your name is", "the place you were born is". Without "you"
// it is more likely a thought cut short ("the best part is").
func (s *enScan) openCopula(i, end int) bool {
	if end-i < 3 || !s.oneOf(end-1, end, "is", "are") {
		return false
	}
	if !s.toks[end-2].letters || s.toks[end-2].class&(cPersonal|cSubject|cWh) != 0 {
		return false
	}
	for k := i; k < end-2; k++ {
		if s.oneOf(k, end, "you", "your", "u", "ur", "yours") {
			return true
		}
	}
	return false
}

// phrase is a fixed run of words the rules look for, split once at start-up.
type phrase struct {
	words  []string
	prefix bool // matches the start of a clause, not only a whole one
}

// indexPhrases splits whole and prefix phrases into words and files them
// under their first word, so a clause is compared only with the phrases
// that start like it.
func indexPhrases(whole, prefixes []string) map[string][]phrase {
	m := make(map[string][]phrase)
	add := func(list []string, prefix bool) {
		for _, p := range list {
			w := strings.Fields(p)
			m[w[0]] = append(m[w[0]], phrase{words: w, prefix: prefix})
		}
	}
	add(whole, false)
	add(prefixes, true)
	return m
}

var (
	reactionIndex  = indexPhrases(reactions, reactionPrefixes)
	smallTalkIndex = indexPhrases(nil, smallTalkOpeners)
)

// matchWords reports whether the tokens from k on are words; the tokens
// must end where the words do unless prefix is set.
func (s *enScan) matchWords(k, end int, words []string, prefix bool) bool {
	if end-k < len(words) || !prefix && end-k != len(words) {
		return false
	}
	for _, w := range words {
		if string(s.w(k)) != w {
			return false
		}
		k++
	}
	return true
}

// oneOf reports whether token k, if it exists before end, is one of words.
func (s *enScan) oneOf(k, end int, words ...string) bool {
	if k >= end {
		return false
	}
	w := s.w(k)
	for _, x := range words {
		if string(w) == x {
			return true
		}
	}
	return false
}

// smallTalk recognises "how are you", "what's up" and their kin: they have
// question syntax but are greetings, and no FAQ answers them.
func (s *enScan) smallTalk(i, end int) bool {
	n := end - i
	for _, p := range smallTalkIndex[string(s.w(i))] {
		if !s.matchWords(i, end, p.words, true) {
			continue
		}
		switch extra := n - len(p.words); {
		case extra == 0:
			return true
		case extra == 1:
			if k := end - 1; s.toks[k].class&cVocative != 0 || s.oneOf(k, end, "today", "tonight", "all") {
				return true
			}
		}
	}
	for k := i; k < end; k++ {
		if s.toks[k].class&cWh == 0 || !s.is(k, "how") && !s.is(k, "hows") {
			continue
		}
		// how + a few filler words + doing/going/been: "how are you
		// doing", "how the ai is doing", "how's it going".
		personal := false
		j := k + 1
		for ; j < end && j <= k+4; j++ {
			if s.oneOf(j, end, "doing", "doin", "going", "goin", "been", "hanging", "feeling") {
				return true
			}
			if s.oneOf(j, end, "you", "u", "ya", "yall", "things", "everyone", "everybody", "chat",
				"life", "everything", "day", "guys", "we", "night", "evening", "morning", "week") {
				personal = true
				continue
			}
			if !s.oneOf(j, end, "are", "r", "is", "s", "the", "ai", "bot", "it", "have", "has",
				"your", "ur", "all", "today", "tonight", "been", "this", "doing") {
				break
			}
		}
		if j == end && personal {
			return true
		}
	}
	return false
}

// smallTalkOpeners are greetings with question syntax; "chat", "today" or
// the like may follow.
var smallTalkOpeners = []string{
	"whats up", "what is up", "what up", "whats new", "whats good", "whats poppin", "whatsup",
	"are you ok", "are you okay", "are you alright", "are you well", "are you good",
	"are you doing ok", "are you doing okay", "are you doing alright", "are you doing well",
	"are you doing good", "are u ok", "r u ok", "is everything ok", "is everything okay",
	"is everything alright", "is everything good", "is everything fine", "good morning",
	"good night", "good evening", "good afternoon", "good day", "nice to meet you",
	"how do you do",
}

// reaction recognises a clause that reacts to the stream in question form.
// Besides the fixed phrases, a short yes/no question about what is on
// screen that ends in laughter ("is he ok lol") is a joke, not a question.
func (s *enScan) reaction(i, end int, laughed bool) bool {
	for _, p := range reactionIndex[string(s.w(i))] {
		if s.matchWords(i, end, p.words, p.prefix) {
			return true
		}
	}
	// "is he serious", "is this ok", "are they alright": a judgement of
	// what just happened on stream.
	if end-i == 3 && s.toks[i].class&cBe != 0 &&
		s.oneOf(i+1, end, "this", "that", "he", "she", "they", "it", "chat", "bro") &&
		s.oneOf(i+2, end, "serious", "real", "ok", "okay", "alright", "good", "fine", "kidding",
			"joking", "trolling", "dead", "alive", "legit", "sane", "human", "cheating", "hacking") {
		return true
	}
	if laughed && end-i <= 5 && s.toks[i].class&(cAux|cAuxNeg) != 0 &&
		s.oneOf(i+1, end, "this", "that", "he", "she", "they", "it", "him", "chat", "bro", "we", "hes") {
		return true
	}
	return false
}

// exclamation recognises "what a play" and "how cool is that", which open
// with a wh-word but exclaim.
func (s *enScan) exclamation(i, end int) bool {
	if s.is(i, "what") && s.oneOf(i+1, end, "a", "an") {
		return true
	}
	if !(s.is(i, "how") && s.class(i+1, end)&cExclaim != 0) {
		return false
	}
	if end-(i+2) > 2 {
		return false
	}
	for k := i + 2; k < end; k++ {
		if !s.oneOf(k, end, "is", "was", "that", "this", "it", "thats", "he", "she", "they", "are",
			"were", "of", "him", "her") {
			return false
		}
	}
	return true
}

// inversion checks that an auxiliary at i opens a yes/no question ("can I",
// "does france use…") rather than a statement with its subject dropped
// ("was fun", "can confirm", "don't care").
func (s *enScan) inversion(i, end int, names []string) bool {
	if end-i < 3 {
		return false
	}
	aux := s.toks[i].class
	next := s.toks[i+1]
	subject := next.class&cSubject != 0 || s.isName(i+1, names)
	switch {
	case aux&cHave != 0:
		// "have you", "has anyone", "has my order shipped"; not "have a
		// good night" or "had fun".
		return next.class&cPersonal != 0 ||
			end-i >= 4 && s.oneOf(i+1, end, "my", "your", "ur", "his", "her", "their", "our")
	case aux&cAuxNeg != 0:
		return subject
	case aux&cBe != 0:
		// A form of "be" followed by anything but a subject is usually a
		// statement with "it" dropped ("was fun", "is so good", "was a
		// great stream"), unless the line goes on long enough to be asking
		// about something ("is a socket converter necessary…").
		if s.oneOf(i+1, end, "the", "a", "an") && s.superlative(i+2, end) {
			return false
		}
		if subject {
			return true
		}
		if !s.oneOf(i, end, "is", "are", "isnt", "arent") || end-i < 4 {
			return false
		}
		if s.oneOf(i+1, end, "a", "an") {
			return s.class(i+2, end)&(cExclaim|cNotAfterAux) == 0
		}
	case subject:
		return true
	}
	if next.mention || next.class&(cNotAfterAux|cWh|cLaugh|cAux|cExclaim) != 0 {
		return false
	}
	w := s.w(i + 1)
	return next.letters || len(w) > 0 && w[0] >= '0' && w[0] <= '9'
}

// superlative reports "best", "worst", "greatest" and the like at k, which
// after "is the" make a verdict, not a question.
func (s *enScan) superlative(k, end int) bool {
	if k >= end {
		return false
	}
	w := s.w(k)
	if s.oneOf(k, end, "best", "worst", "goat", "greatest", "funniest", "worst", "most", "least") {
		return true
	}
	return len(w) > 4 && string(w[len(w)-3:]) == "est" && s.toks[k].class == 0
}

// request recognises imperatives that ask for information or for something
// to be done: "tell me your specs", "define antebellum", "skip this song".
func (s *enScan) request(i, end int) bool {
	if s.toks[i].class&cRequest == 0 || end-i < 2 {
		return false
	}
	switch {
	case s.is(i, "look"):
		return s.oneOf(i+1, end, "up", "for", "into")
	case s.is(i, "let"):
		return s.oneOf(i+1, end, "me", "us") && s.oneOf(i+2, end, "know")
	case s.is(i, "lemme"):
		return s.oneOf(i+1, end, "know")
	case s.is(i, "help"):
		return s.oneOf(i+1, end, "me", "us", "with", "i", "pls", "please", "plz")
	case s.is(i, "read"):
		return s.oneOf(i+1, end, "me", "us")
	case s.is(i, "give") || s.is(i, "gimme"):
		if s.oneOf(i+1, end, "a", "me", "us") && (s.oneOf(i+2, end, "sec", "second", "min", "minute", "moment", "break") ||
			s.oneOf(i+3, end, "sec", "second", "min", "minute", "moment", "break")) {
			return false
		}
		return !s.oneOf(i+1, end, "up", "it", "him", "her", "them", "away", "back", "in")
	case s.is(i, "go") || s.is(i, "move") || s.is(i, "skip"):
		// Moving through a playlist: "go to the next song", "move forward
		// one song", "skip ahead".
		if s.is(i+1, "to") {
			return s.oneOf(i+2, end, "next", "the", "upcoming", "previous", "last") &&
				(s.oneOf(i+2, end, "next", "upcoming", "previous") || s.oneOf(i+3, end, "next", "upcoming", "previous", "last"))
		}
		return s.oneOf(i+1, end, "forward", "ahead", "on", "back", "this", "the", "next", "it", "that")
	case s.is(i, "show"):
		return !s.oneOf(i+1, end, "off", "some", "love", "them", "him", "her", "up")
	case s.oneOf(i, end, "play", "change", "switch", "start", "put", "repeat"):
		return s.oneOf(i+1, end, "the", "this", "that", "a", "an", "some", "another", "next", "it",
			"track", "song", "songs", "music", "my", "ur", "your", "one", "something", "to", "on",
			"ahead", "forward", "back")
	}
	return true
}

// desire recognises a wish to know or to get something ("i need to know
// how…", "need the discord link", "i'd like to know", "looking for the
// discord", "i was wondering…").
func (s *enScan) desire(i, end int) (string, bool) {
	if s.toks[i].class&cDesire == 0 {
		return "", false
	}
	k := i
	modal := false
	switch {
	case s.oneOf(k, end, "i", "we"):
		k++
		if s.oneOf(k, end, "would", "d") {
			modal = true
			k++
		}
	case s.oneOf(k, end, "id", "wed"):
		modal = true
		k++
	case s.oneOf(k, end, "im", "were"):
		k++
	}
	for s.oneOf(k, end, "really", "just", "also", "kinda", "still", "actually", "am", "was", "is", "are") {
		k++
	}
	v := k
	switch {
	case s.oneOf(v, end, "wonder", "wondering", "curious"):
		return whyIndirect, true
	case s.oneOf(v, end, "looking", "searching"):
		return whyRequest, s.oneOf(v+1, end, "for")
	case s.is(v, "trying") || s.is(v, "tryna"):
		o := v + 1
		if s.is(o, "to") || s.is(v, "tryna") && o < end {
			if s.is(o, "to") {
				o++
			}
			return whyRequest, s.oneOf(o, end, "find", "figure", "understand", "learn", "get")
		}
		return "", false
	case s.oneOf(v, end, "wanna", "needa", "gotta", "hafta", "must"):
		return whyRequest, knowVerb(s, v+1, end)
	case s.oneOf(v, end, "need", "want", "like", "love", "wish", "have", "needed", "wanted"):
		if s.is(v+1, "to") && knowVerb(s, v+2, end) {
			return whyRequest, true
		}
		// "need the discord link", "i'd like your settings"; but "i want
		// the skin" is a wish, not a question.
		if s.oneOf(v, end, "need", "needed") || modal && s.oneOf(v, end, "like", "love", "want") ||
			s.oneOf(v, end, "want", "wanted") && s.oneOf(v+1, end, "you", "info", "information", "help", "details", "link", "links") {
			if s.oneOf(v+1, end, "the", "your", "ur", "his", "her", "their", "info", "information",
				"help", "details", "link", "links", "you", "advice", "tips") {
				return whyRequest, true
			}
			if s.is(v+1, "some") && s.oneOf(v+2, end, "help", "info", "information", "advice", "tips") {
				return whyRequest, true
			}
		}
	}
	return "", false
}

// knowVerb reports whether token k is a verb of finding out.
func knowVerb(s *enScan, k, end int) bool {
	return s.oneOf(k, end, "know", "find", "learn", "ask", "understand", "figure", "check", "track",
		"locate")
}

// indirect finds questions asked about rather than asked: "anyone know the
// discord", "does anybody have…", "any idea when…", "pls let me know…",
// "i have a question about…".
func (s *enScan) indirect(i, end int) bool {
	for k := i; k < end; k++ {
		if s.toks[k].class&cIndirect == 0 {
			continue
		}
		switch {
		case s.oneOf(k, end, "anyone", "anybody", "any1", "someone", "somebody"):
			if s.oneOf(k+1, end, "know", "knows", "have", "got", "has", "tell", "link", "remember",
				"recommend", "explain", "here") {
				return true
			}
		case s.oneOf(k, end, "wonder", "wondering"):
			if k == i || !s.is(k-1, "no") {
				return true
			}
		case s.is(k, "any"):
			if s.oneOf(k+1, end, "idea", "ideas", "info", "news", "update", "updates", "tips", "clue",
				"recs", "recommendations", "suggestions", "advice") {
				return true
			}
		case s.oneOf(k, end, "wanna", "needa"):
			if s.oneOf(k+1, end, "know", "ask") {
				return true
			}
		case s.is(k, "to"):
			if k > i && s.oneOf(k+1, end, "know", "ask") &&
				s.oneOf(k-1, end, "want", "like", "love", "need", "have", "wanted", "needed") {
				return true
			}
			// "… glad to know what type of things you can help with"
			if s.is(k+1, "know") && s.class(k+2, end)&cWh != 0 {
				return true
			}
		case s.oneOf(k, end, "please", "pls", "plz"):
			// A polite imperative inside a longer line: "i want to cook a
			// lasagna please tell me how long it takes".
			if k > i && s.class(k+1, end)&cRequest != 0 && s.request(k+1, end) {
				return true
			}
		case s.is(k, "let") || s.is(k, "lemme"):
			if s.is(k, "lemme") && s.oneOf(k+1, end, "know") ||
				s.oneOf(k+1, end, "me", "us") && s.oneOf(k+2, end, "know") {
				return true
			}
		case s.is(k, "question"):
			if s.oneOf(k+1, end, "for", "about", "regarding", "on") {
				return true
			}
		case s.oneOf(k, end, "can", "could", "do", "does", "would", "will"):
			// A question after a lead-in: "so basically can someone…",
			// "on the speaker do you know…".
			if k > i && s.oneOf(k+1, end, "someone", "somebody", "anyone", "anybody", "you", "u") &&
				k+2 < end && !s.oneOf(k-1, end, "i", "we", "they", "he", "she", "it", "that", "what", "how", "if") {
				return true
			}
		}
	}
	return false
}

// ---- Chinese ----

// zhMarker is a word or particle that makes a Chinese clause a question or
// a request. Most count anywhere in a clause; final ones (呢, 么) only at its
// end, where they are particles rather than parts of other words. notBefore
// and notAfter list neighbours that turn the marker into something else:
// 没什么 ("nothing"), 什么都 ("everything"), 几乎 ("almost"), 要求
// ("demand").
type zhMarker struct {
	s         string
	why       string
	final     bool // only at the end of a clause
	start     bool // only at the start of a clause
	notBefore []string
	notAfter  []string
}

var zhMarkers = []zhMarker{
	{s: "吗", why: "zh particle 吗", notAfter: []string{"啡"}},
	{s: "呢", why: "zh particle 呢", final: true},
	{s: "么", why: "zh particle 么", final: true, notBefore: []string{"什", "怎", "这", "那", "多", "要"}},
	{s: "什么", why: "zh question word 什么", notBefore: []string{"没", "不"},
		notAfter: []string{"都", "也", "的"}},
	{s: "啥", why: "zh question word 啥", notBefore: []string{"没"}, notAfter: []string{"都", "也"}},
	{s: "怎么", why: "zh question word 怎么", notBefore: []string{"不"},
		notAfter: []string{"这么", "那么", "可能", "也", "都"}},
	{s: "怎样", why: "zh question word 怎样", notBefore: []string{"不"}},
	{s: "咋", why: "zh question word 咋"},
	{s: "为什么", why: "zh question word 为什么", notBefore: []string{"知道"}},
	{s: "为啥", why: "zh question word 为啥"},
	{s: "干嘛", why: "zh question word 干嘛"},
	{s: "如何", why: "zh question word 如何", notBefore: []string{"论", "管"}},
	{s: "哪", why: "zh question word 哪", notAfter: []string{"怕"}},
	{s: "几", why: "zh question word 几", notBefore: []string{"茶", "好", "这", "那"},
		notAfter: []string{"乎", "何", "个人"}},
	{s: "多少", why: "zh question word 多少", notBefore: []string{"或"}, notAfter: []string{"有点", "有些"}},
	{s: "多久", why: "zh question word 多久"},
	{s: "多大", why: "zh question word 多大"},
	{s: "多长", why: "zh question word 多长"},
	{s: "多远", why: "zh question word 多远"},
	{s: "多高", why: "zh question word 多高"},
	{s: "是否", why: "zh question word 是否"},
	{s: "能否", why: "zh question word 能否"},
	{s: "可否", why: "zh question word 可否"},
	{s: "谁", why: "zh question word 谁"},
	{s: "请问", why: "zh request 请问"},
	{s: "请教", why: "zh request 请教"},
	{s: "求", why: "zh request 求", notBefore: []string{"要", "追", "需", "祈", "乞", "讲", "力"}},
	{s: "帮我", why: "zh request 帮我"},
	{s: "帮忙", why: "zh request 帮忙"},
	{s: "帮帮", why: "zh request 帮帮"},
	{s: "推荐", why: "zh request 推荐"},
	{s: "介绍一下", why: "zh request 介绍一下"},
	{s: "介绍下", why: "zh request 介绍下"},
	{s: "告诉我", why: "zh request 告诉我"},
	{s: "给我", why: "zh request 给我"},
	{s: "想知道", why: "zh request 想知道"},
	{s: "想问", why: "zh request 想问"},
	{s: "问一下", why: "zh request 问一下"},
	{s: "问下", why: "zh request 问下"},
	{s: "有人知道", why: "zh request 有人知道"},
	{s: "有谁", why: "zh request 有谁"},
	{s: "麻烦你", why: "zh request 麻烦"},
	{s: "麻烦您", why: "zh request 麻烦"},
	{s: "麻烦帮", why: "zh request 麻烦"},
	{s: "辛苦您", why: "zh request 辛苦您", notAfter: []string{"了", "啦", "啊"}},
	{s: "辛苦你", why: "zh request 辛苦您", notAfter: []string{"了", "啦", "啊"}},
	{s: "翻译", why: "zh request 翻译"},
	{s: "在线等", why: "zh request 在线等"},
	{s: "很急", why: "zh request 急"},
	{s: "急求", why: "zh request 急"},
	{s: "下载", why: "zh request 下载"},
	{s: "全集", why: "zh request 全集"},
	{s: "全文", why: "zh request 全文"},
	{s: "全本", why: "zh request 全本"},
	{s: "网盘", why: "zh request 网盘"},
	{s: "电子书", why: "zh request 电子书"},
	{s: "链接", why: "zh request 链接"},
	{s: "打一", why: "zh riddle 打一"},
	{s: "还是", why: "zh choice 还是", notBefore: []string{"我", "你", "他", "她", "它", "们", "但", "可", "也", "就", "都"}},
	{s: "找个", why: "zh request 找"},
	{s: "找一", why: "zh request 找"},
	{s: "找下", why: "zh request 找"},
	{s: "下一句", why: "zh request 下一句"},
	{s: "上一句", why: "zh request 上一句"},
	{s: "简述", why: "zh request 简述"},
	{s: "解释", why: "zh request 解释"},
	{s: "列举", why: "zh request 列举"},
	{s: "写出", why: "zh request 写出"},
	{s: "说说", why: "zh request 说说"},
	{s: "讲讲", why: "zh request 讲讲"},
	{s: "请", why: "zh request 请", start: true, notAfter: []string{"客", "假", "进", "坐", "多多", "注意"}},
	{s: "猜一", why: "zh riddle 猜一"},
}

// zhByFirst indexes zhMarkers by their first rune, so a clause is read
// once; zhFirst is a bitmap of those runes over the main CJK block, which
// lets the common character that starts no marker skip the map.
var zhByFirst, zhFirst = func() (map[rune][]zhMarker, *[(0xa000 - 0x4e00) / 64]uint64) {
	m := make(map[rune][]zhMarker)
	var bits [(0xa000 - 0x4e00) / 64]uint64
	for _, mk := range zhMarkers {
		r, _ := utf8.DecodeRuneInString(mk.s)
		m[r] = append(m[r], mk)
		if r >= 0x4e00 && r < 0xa000 {
			bits[(r-0x4e00)/64] |= 1 << ((r - 0x4e00) % 64)
		}
	}
	return m, &bits
}()

// mayStartMarker reports whether some marker might start with r.
func mayStartMarker(r rune) bool {
	if r >= 0x4e00 && r < 0xa000 {
		return zhFirst[(r-0x4e00)/64]&(1<<((r-0x4e00)%64)) != 0
	}
	return r >= 0x3400
}

// zhReactions are whole clauses, with trailing modal particles and
// laughter removed, that react rather than ask. 真的假的 ("real or fake?")
// is one: in chat it is amazement at what just happened, not a request to
// verify anything, and no FAQ entry answers it.
var zhReactions = []string{
	"真的假的", "真的吗", "真假", "是吗", "是嘛", "不会吧", "不是吧", "什么", "啥", "蛤", "嗯", "哈",
	"什么鬼", "搞什么", "搞什么鬼", "怎么可能", "开什么玩笑", "什么情况", "为什么", "为啥", "凭什么",
	"干嘛", "谁问你了", "谁在乎", "谁懂啊", "谁懂", "有没有搞错", "你没事吧", "没事吧",
	"谁知道", "谁知道呢", "咋了", "怎么了", "对吧", "是吧", "好吗", "行吗", "懂吗",
}

// zhReactionMaxLen is the length in bytes of the longest of zhReactions;
// longer clauses need not be compared with them.
var zhReactionMaxLen = func() int {
	n := 0
	for _, x := range zhReactions {
		n = max(n, len(x))
	}
	return n
}()

// zhGreetings are whole clauses that greet.
var zhGreetings = []string{
	"你好", "您好", "大家好", "主播好", "晚上好", "早上好", "下午好", "中午好", "早", "早安", "晚安",
	"拜拜", "再见", "哈喽", "嗨", "来了", "我来了",
}

// zhTrailing are characters dropped from the end of a clause before it is
// compared with the lists above.
const zhTrailing = "啊呀吧哈啦哦噢喔嘿~～…"

// lang returns what DetectLang would say about the scanned text, from the
// counts the scan kept, when it can be sure of agreeing.
func (s *enScan) lang(text string) string {
	if s.exotic {
		return DetectLang(text)
	}
	if s.han > 0 && s.han >= s.latin {
		return LangChinese
	}
	return LangEnglish
}

// detectZh applies the Chinese rules to each clause of text.
func detectZh(text string) (string, bool) {
	why := whyStatement
	for len(text) > 0 {
		i := 0
		for i < len(text) {
			r, size := decodeRune(text[i:])
			if isZhStop(r) {
				break
			}
			i += size
		}
		// The whole run of punctuation ends the clause, so that "？！"
		// reads as an exclamation.
		q, bang := false, false
		j := i
		for j < len(text) {
			r, size := decodeRune(text[j:])
			if !isZhStop(r) {
				break
			}
			q = q || r == '?' || r == '？'
			bang = bang || r == '!' || r == '！'
			j += size
		}
		v, ok := zhClause(text[:i], q && !bang)
		if ok {
			return v, true
		}
		if v == whyReaction || v == whyGreeting && why == whyStatement {
			why = v
		}
		text = text[j:]
	}
	return why, false
}

// isZhStop reports punctuation and spaces that end a clause.
func isZhStop(r rune) bool {
	switch r {
	case '?', '？', '!', '！', '，', '。', '；', '：', '、', ',', '.', ';', ':', '~', '～', '…':
		return true
	}
	// Nothing from the CJK punctuation block up is white space; most of
	// what reaches here is Han, so skip the table.
	return r < 0x3001 && unicode.IsSpace(r)
}

// decodeRune is utf8.DecodeRuneInString with the three-byte sequences that
// carry Chinese decoded inline: the Chinese rules decode every character of
// a line more than once, and the general decoder is their largest cost. It
// returns what utf8.DecodeRuneInString would for any input.
func decodeRune(s string) (rune, int) {
	if len(s) >= 3 {
		b0, b1, b2 := s[0], s[1], s[2]
		if (b0 >= 0xe1 && b0 <= 0xec || b0 == 0xee || b0 == 0xef) &&
			b1&0xc0 == 0x80 && b2&0xc0 == 0x80 {
			return rune(b0&0x0f)<<12 | rune(b1&0x3f)<<6 | rune(b2&0x3f), 3
		}
	}
	return utf8.DecodeRuneInString(s)
}

// zhClause applies the Chinese rules to one clause; q says it ended in a
// question mark.
func zhClause(c string, q bool) (string, bool) {
	c = trimZh(c)
	if c == "" {
		return whyStatement, false
	}
	if len(c) <= zhReactionMaxLen {
		for _, x := range zhReactions {
			if c == x {
				return whyReaction, false
			}
		}
	}
	if isLaughter(c) {
		return whyReaction, false
	}
	// A greeting is a short clause: a greeting word, perhaps after a name
	// ("主播晚上好").
	if len(c) <= 7*3 {
		for _, x := range zhGreetings {
			if c == x || len(x) > 3 && strings.HasSuffix(c, x) {
				return whyGreeting, false
			}
		}
	}
	if q {
		return whyQuestionMark, true
	}
	var prev rune // the rune before i
	for i := 0; i < len(c); {
		r, size := decodeRune(c[i:])
		if mayStartMarker(r) {
			for _, mk := range zhByFirst[r] {
				if zhMatch(c, i, mk) {
					return mk.why, true
				}
			}
		}
		// A-not-A: 是不是, 好不好, 有没有, 能不能 … ask a yes/no question
		// by offering both answers.
		if (r == '不' || r == '没') && prev != '一' && prev != '不' && prev != '没' && isHan(prev) {
			if next, _ := decodeRune(c[i+size:]); next == prev {
				return whyANotA, true
			}
		}
		prev = r
		i += size
	}
	return whyStatement, false
}

// zhMatch reports whether marker mk occurs at c[i:] in a reading that asks.
func zhMatch(c string, i int, mk zhMarker) bool {
	if !strings.HasPrefix(c[i:], mk.s) {
		return false
	}
	after := c[i+len(mk.s):]
	if mk.final && after != "" || mk.start && i != 0 {
		return false
	}
	for _, b := range mk.notBefore {
		if strings.HasSuffix(c[:i], b) {
			return false
		}
	}
	for _, a := range mk.notAfter {
		if strings.HasPrefix(after, a) {
			return false
		}
	}
	return true
}

// trimZh removes trailing modal particles, laughter marks and tildes, so
// that "真的假的啊~" compares equal to "真的假的" and "好不好呀" ends in
// its question.
func trimZh(c string) string {
	for len(c) > 0 {
		r, size := utf8.DecodeLastRuneInString(c)
		if !strings.ContainsRune(zhTrailing, r) && !unicode.IsSpace(r) {
			break
		}
		c = c[:len(c)-size]
	}
	return c
}

// isLaughter reports clauses made only of laughter (哈, 嘿, 呵, 嘻, 笑, 草)
// or of the digit 6 ("666", chat's "nice play").
func isLaughter(c string) bool {
	for _, r := range c {
		switch r {
		case '哈', '嘿', '呵', '嘻', '6', '草', '笑':
		default:
			return false
		}
	}
	return true
}
