package question

import "strings"

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
