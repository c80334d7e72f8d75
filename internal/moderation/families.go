package moderation

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Family is a kind of message that Twitch spam bots send. The spam_bots
// rule recognises each by the parts its messages are always made of, not
// by their wording, so a new spelling of an old pitch is still caught:
// a list of phrases lags behind the bots by a week.
type Family string

// The families the spam_bots rule knows.
const (
	// FamilyHandleBait: "add me on Discord: name_123" — a contact platform,
	// an account handle and a request to get in touch.
	FamilyHandleBait Family = "handle bait"
	// FamilySiteNoDot: a viewer-selling site written so that it is not a
	// link: "streamviewers org", "stream viewers dott org".
	FamilySiteNoDot Family = "dotless site"
	// FamilyMentor: "I can connect you with a big streamer who has 350K
	// followers": an offer, to the streamer, of someone with an audience.
	FamilyMentor Family = "fake mentor"
	// FamilyViewerSales: viewers or followers offered for sale to the
	// streamer: "cheap real viewers, free package for your stream".
	FamilyViewerSales Family = "viewer selling"
)

// familyHit is what the family check found: the family and the words that
// made it, for the verdict's detail and `bot replay --explain`.
type familyHit struct {
	family Family
	// why names the parts found, in order: `"discord" + handle "name_123"
	// + "add me"`.
	why []string
}

// Word classes the family checks look for. A word may be in several.
const (
	cuePlatform  uint32 = 1 << iota // a contact platform: discord, telegram
	cueSolicit                      // a verb of getting in touch: add, dm, contact
	cueSelf                         // me, my: the object of "add me"
	cueDot                          // "dot" spelled out
	cueBareTLD                      // a top-level domain no chat word is: com, org
	cueSellNoun                     // what is sold: viewers, followers
	cueCommerce                     // selling words: cheap, package, service
	cueOfferer                      // i, we: who makes an offer
	cueModal                        // can, will: the offer's verb
	cueYou                          // you, your
	cueAction                       // connect, introduce, help: what a fake mentor offers
	cueStreamer                     // streamer, mentor
	cueBig                          // big, top: the streamer a fake mentor knows
	cuePitch                        // interested, collab, business: a cold pitch
	cueStop                         // a word that cannot name a site
	cueSplitHead                    // the first half of a split platform name: "disc" of "disc ord"
	cueWordTLD                      // a top-level domain that is also a chat word: net, shop, live
)

// cueWords maps normalised words to their classes. It is the vocabulary of
// the families' parts, not of any message: each entry is a word a family
// needs, and no entry is enough on its own.
var cueWords = func() map[string]uint32 {
	m := map[string]uint32{}
	add := func(c uint32, words string) {
		for _, w := range strings.Fields(words) {
			m[w] |= c
		}
	}
	add(cuePlatform, "discord discordapp dc dizzy telegram telegramm tg snapchat snap whatsapp insta instagram ig kik skype wechat signal")
	add(cueSolicit, "add hit dm dms message msg contact text reach write ping inbox hmu connect send talk chat friends")
	add(cueSelf, "me my mine")
	add(cueDot, "dot dott dotcom punto")
	add(cueBareTLD, "com org ru xyz su biz")
	add(cueWordTLD, "net shop store live pro top site online club")
	add(cueSellNoun, "viewers viewer followers follower follows views viewbot viewbots chatters")
	add(cueCommerce, "cheap price prices pricing package packages service services offer offers order buy sell selling boost boosting trial discount promo promotion")
	add(cueOfferer, "i we let")
	add(cueModal, "can could will would ll wanna want")
	add(cueYou, "you your u ur")
	add(cueAction, "connect introduce intro link help helps grow grows grew boost boosts promote promotes mentor mentors")
	add(cueStreamer, "streamer streamers mentor mentors")
	add(cueBig, "big bigger top famous popular large huge successful partnered")
	// Not "followed": "just followed! add me on discord" is how a new fan
	// talks too.
	add(cuePitch, "interested collab collaborate collaboration business proposal opportunity designer")
	for w := range stopWords {
		m[w] |= cueStop
	}
	for pair := range platformSplits {
		head, _, _ := strings.Cut(pair, " ")
		m[head] |= cueSplitHead
	}
	add(cueStop, "our their we you u ur me i a an some any this that these those real free best cheap")
	return m
}()

// platformSplits are the halves a platform's name is split into to dodge
// a filter: "disc ord", "dis cord", "tele gram".
var platformSplits = map[string]bool{
	"disc ord": true, "dis cord": true, "disco rd": true, "d iscord": true, "discor d": true,
	"tele gram": true, "snap chat": true, "whats app": true, "insta gram": true,
}

// siteStems are what the made-up names of viewer-selling sites are built
// from: "streamviewers", "twitchboost".
var siteStems = []string{"view", "follow", "stream", "twitch", "boost", "promo", "grow", "fame", "famous", "viral", "hype", "fans"}

// inflections are endings that make a stem a word, not a compound:
// "streamers" is a word, "streamviewers" a name.
var inflections = map[string]bool{"": true, "s": true, "es": true, "er": true, "ers": true, "ing": true, "ed": true, "ings": true}

// siteLike reports whether w reads as a made-up site name: a stem joined
// to more than an ending ("streamviewers", "getfollows").
func siteLike(w []byte) bool {
	s := string(w)
	for _, stem := range siteStems {
		i := strings.Index(s, stem)
		if i < 0 {
			continue
		}
		rest := s[:i] + s[i+len(stem):]
		if len(rest) >= 3 && !inflections[s[i+len(stem):]] || i >= 3 {
			return true
		}
	}
	return false
}

// familyScan holds what one pass over a message's words found.
type familyScan struct {
	mask uint32
	// platform is the first platform word (or joined split), for the
	// detail.
	platform string
}

// checkFamilies reports the first family whose parts the message has.
// allow are the domains links may point to: "youtube com" names an
// allowed site, not a dotless one.
func checkFamilies(in *Input, allow domainList) (familyHit, bool) {
	norm, words := in.prose()
	var sc familyScan
	for i := range words {
		w := norm[words[i].Start:words[i].End]
		c := cueWords[string(w)]
		if c&cuePlatform != 0 && sc.platform == "" {
			sc.platform = string(w)
		}
		sc.mask |= c
		if c&cueSplitHead != 0 && i+1 < len(words) {
			pair := norm[words[i].Start:words[i+1].End]
			if platformSplits[string(pair)] {
				sc.notePlatform(pair)
			}
		}
		if sc.mask&cuePlatform == 0 {
			// "dlscord", "diskord", "dscrd", and "d scord" from
			// "D!scord": a platform's name by its consonants.
			if platformSkeleton(w, nil) {
				sc.notePlatform(w)
			} else if i+1 < len(words) && len(w) <= 6 {
				if next := norm[words[i+1].Start:words[i+1].End]; platformSkeleton(w, next) {
					sc.notePlatform(norm[words[i].Start:words[i+1].End])
				}
			}
		}
	}
	if sc.mask&cuePlatform != 0 {
		if h, ok := handleBait(in, norm, words, &sc); ok {
			return h, true
		}
	}
	if sc.mask&(cueDot|cueBareTLD|cueWordTLD) != 0 || in.NumLinks() > 0 {
		// Links are part of this family's text: "name dot xyz" is a
		// link and a dotless site at once.
		if h, ok := siteNoDot(in, in.Norm, in.Words, allow); ok {
			return h, true
		}
	}
	if sc.mask&(cueOfferer|cueYou|cueStreamer) == cueOfferer|cueYou|cueStreamer || sc.mask&(cueOfferer|cueYou|cueSellNoun) == cueOfferer|cueYou|cueSellNoun {
		if h, ok := mentor(norm, words); ok {
			return h, true
		}
	}
	if sc.mask&(cueOfferer|cueStreamer|cueAction) == cueOfferer|cueStreamer|cueAction {
		if h, ok := mentorKnown(norm, words); ok {
			return h, true
		}
	}
	if sc.mask&(cueSellNoun|cueCommerce) == cueSellNoun|cueCommerce {
		if h, ok := viewerSales(norm, words); ok {
			return h, true
		}
	}
	return familyHit{}, false
}

func (sc *familyScan) notePlatform(w []byte) {
	sc.mask |= cuePlatform
	if sc.platform == "" {
		sc.platform = string(w)
	}
}

// platformSkeletons are contact platforms' names with their vowels (and
// l, which passes for i and I for l) dropped and k read as c, so that
// "dlscord", "diskord", "dscrd" and "teIegram" match.
var platformSkeletons = map[string]bool{"dscrd": true, "tgrm": true, "snpcht": true, "whtspp": true, "nstgrm": true}

// notPlatforms are words with a platform's skeleton.
var notPlatforms = map[string]bool{"discard": true, "discards": true, "discarded": true, "telegrams": true}

// platformSkeleton reports whether a, joined to b, is a platform's name
// by its consonants. Words that are something else are not.
func platformSkeleton(a, b []byte) bool {
	n := len(a) + len(b)
	if n < 4 || n > 12 {
		return false
	}
	// The platforms' first and last letters rule out most words at once.
	last := a[len(a)-1]
	if len(b) > 0 {
		last = b[len(b)-1]
	}
	if !strings.ContainsRune("dtswin", rune(a[0])) || !strings.ContainsRune("dmtp", rune(last)) {
		return false
	}
	var buf [12]byte
	k := 0
	for _, part := range [2][]byte{a, b} {
		for _, c := range part {
			switch c {
			case 'a', 'e', 'i', 'o', 'u', 'y', 'l':
				continue
			case 'k':
				c = 'c'
			}
			if c >= 0x80 {
				return false
			}
			buf[k] = c
			k++
		}
	}
	if !platformSkeletons[string(buf[:k])] {
		return false
	}
	var whole [12]byte
	w := append(append(whole[:0], a...), b...)
	return !notPlatforms[string(w)]
}

func word(norm []byte, words []Span, i int) string {
	if i < 0 || i >= len(words) {
		return ""
	}
	return string(norm[words[i].Start:words[i].End])
}

func cue(norm []byte, words []Span, i int) uint32 {
	if i < 0 || i >= len(words) {
		return 0
	}
	return cueWords[string(norm[words[i].Start:words[i].End])]
}

// solicitation finds a request to get in touch: "add me", "hit me up",
// "dm me", "hmu", "let's connect", "connect with me", "contact me".
func solicitation(norm []byte, words []Span) (string, bool) {
	for i := range words {
		if cue(norm, words, i)&cueSolicit == 0 {
			continue
		}
		w := word(norm, words, i)
		next := word(norm, words, i+1)
		switch {
		case w == "hmu":
			return w, true
		case w == "talk" || w == "chat" || w == "friends":
			prev := word(norm, words, i-1)
			switch {
			case prev == "lets" || prev == "let" || prev == "be":
				return prev + " " + w, true
			case (next == "on" || next == "in") && cue(norm, words, i+2)&cuePlatform != 0:
				return w + " " + next, true
			case (next == "to" || next == "with") && cue(norm, words, i+2)&cueSelf != 0:
				return joinWords(norm, words, i, i+2), true
			}
		case w == "connect":
			if prev := word(norm, words, i-1); prev == "lets" || prev == "let" {
				return prev + " connect", true
			}
			if next == "with" && cue(norm, words, i+2)&cueSelf != 0 || next == "on" || next == "via" {
				return w + " " + next, true
			}
		case cue(norm, words, i+1)&cueSelf != 0:
			return w + " " + next, true
		case next == "up" && w == "hit":
			return "hit up", true
		}
	}
	return "", false
}

func joinWords(norm []byte, words []Span, from, to int) string {
	from = max(from, 0)
	to = min(to, len(words)-1)
	return string(norm[words[from].Start:words[to].End])
}

// handleBait needs a platform, a request to get in touch and an account:
// a handle-shaped token ("name_123", "gamer99", "name#1234"), or a name
// given in so many words ("my dc is …", "discord: …"). A first message
// that pitches ("interested?", "a collab") needs no handle.
func handleBait(in *Input, norm []byte, words []Span, sc *familyScan) (familyHit, bool) {
	why := []string{quote(sc.platform)}
	ask, ok := "", false
	if sc.mask&cueSolicit != 0 {
		ask, ok = solicitation(norm, words)
	}
	if !ok {
		// "my dc is gamer_99" as someone's first message: giving a
		// handle-shaped name is asking. From a regular it may be an answer
		// to "what's your discord?".
		if !in.Msg.First || sc.mask&cueSelf == 0 || namedHandle(norm, words) == "" {
			return familyHit{}, false
		}
		if h := findHandle(in.Msg.Text); h != "" {
			return familyHit{FamilyHandleBait, append(why, "handle "+quote(h), "named as theirs")}, true
		}
		return familyHit{}, false
	}
	if h := findHandle(in.Msg.Text); h != "" {
		return familyHit{FamilyHandleBait, append(why, "handle "+quote(h), quote(ask))}, true
	}
	if n := namedHandle(norm, words); n != "" {
		return familyHit{FamilyHandleBait, append(why, "handle "+quote(n), quote(ask))}, true
	}
	if in.Msg.First && sc.mask&cuePitch != 0 {
		for i := range words {
			if cue(norm, words, i)&cuePitch != 0 {
				return familyHit{FamilyHandleBait, append(why, quote(ask), "first message pitch "+quote(word(norm, words, i)))}, true
			}
		}
	}
	return familyHit{}, false
}

// handleNouns name an account's handle: "my tag is …".
var handleNouns = map[string]bool{"name": true, "id": true, "tag": true, "user": true, "username": true, "handle": true, "ign": true}

// namedHandle finds a name given as an account's: "my <platform> is
// <name>", "my tag is <name>", "<platform> name <name>", and returns it.
func namedHandle(norm []byte, words []Span) string {
	for i := range words {
		mine := cue(norm, words, i)&cueSelf != 0
		if !mine && cue(norm, words, i)&cuePlatform == 0 {
			continue
		}
		j := i + 1
		if mine && cue(norm, words, j)&cuePlatform != 0 {
			j++
		}
		if handleNouns[word(norm, words, j)] {
			j++
		}
		if j == i+1 {
			continue
		}
		if mine {
			// "my name there is the same" names nothing: the name
			// follows "is".
			if word(norm, words, j) != "is" {
				continue
			}
			j++
		}
		if j >= len(words) {
			continue
		}
		if c := cue(norm, words, j); c&(cueStop|cueSolicit|cueSelf|cuePlatform) == 0 {
			return word(norm, words, j)
		}
	}
	return ""
}

// findHandle returns the first token of the raw text shaped like an
// account handle: letters with an underscore ("cool_guy"), letters ending
// in two or more digits ("gamer99"), a name with a dot and a digit
// ("gamer.99") or an old Discord tag ("name#1234"). Links and @mentions
// are not handles.
func findHandle(text string) string {
	for tok := range strings.FieldsSeq(text) {
		if tok[0] == '@' {
			continue
		}
		tok = strings.TrimFunc(tok, func(r rune) bool { return unicode.IsPunct(r) && r != '_' && r != '#' })
		if tok == "" || strings.ContainsAny(tok, "/@") || len(tok) > 40 {
			continue
		}
		if handleShaped(tok) {
			return tok
		}
		if !isASCII(tok) {
			if b, ok := asciiHandle(nil, tok); ok && handleShaped(string(b)) {
				return string(b)
			}
		}
	}
	return ""
}

// asciiHandle folds a token written in full-width or look-alike letters
// ("ａｒｔ＿０１", Cyrillic "hеllо") to the ASCII it passes for, into buf;
// ok is false when some character has no ASCII look-alike.
func asciiHandle(buf []byte, tok string) ([]byte, bool) {
	buf = buf[:0]
	for _, r := range norm.NFKC.String(tok) {
		r = unicode.ToLower(r)
		if l, ok := confusables[r]; ok {
			r = l
		}
		if r >= utf8.RuneSelf {
			return buf, false
		}
		buf = append(buf, byte(r))
	}
	return buf, true
}

func handleShaped(tok string) bool {
	var letters, digits, trailingDigits int
	underscore, dot := false, false
	lastLetter := -1
	for i, r := range tok {
		switch {
		case r >= utf8.RuneSelf:
			return false
		case unicode.IsLetter(r):
			letters++
			lastLetter = i
			trailingDigits = 0
		case r >= '0' && r <= '9':
			digits++
			trailingDigits++
		case r == '_':
			underscore = true
			trailingDigits = 0
		case r == '.':
			dot = true
			trailingDigits = 0
		case r == '#':
			if rest := tok[i+1:]; i > 0 && len(rest) == 4 && isNumber([]byte(rest)) {
				return letters > 0
			}
			return false
		default:
			return false
		}
	}
	switch {
	case letters < 2:
		return false
	case underscore && lastLetter > 0:
		return true
	case dot && digits > 0:
		return true
	}
	return letters >= 3 && trailingDigits >= 2 && trailingDigits == digits
}

// siteNoDot finds a site name and a top-level domain written apart: with
// the dot spelled out ("viewers dott org") it needs the name to look made
// up or the message to sell viewers; with nothing between
// ("streamviewers org") it needs a site-like name, and a domain no chat
// word is or a sales pitch around it ("streamhype shop").
func siteNoDot(in *Input, norm []byte, words []Span, allow domainList) (familyHit, bool) {
	selling := false
	for i := range words {
		if cue(norm, words, i)&(cueSellNoun|cueCommerce) != 0 {
			selling = true
			break
		}
	}
	for i := 1; i < len(words); i++ {
		c := cue(norm, words, i)
		if c&(cueDot|cueBareTLD|cueWordTLD) == 0 {
			continue
		}
		name, tld, spelled := i-1, i, false
		if c&cueDot != 0 {
			if i+1 >= len(words) || !isTLD(norm[words[i+1].Start:words[i+1].End]) {
				continue
			}
			tld, spelled = i+1, true
		}
		nw := norm[words[name].Start:words[name].End]
		if len(nw) < 3 || cue(norm, words, name)&(cueStop|cueDot|cuePlatform) != 0 || isNumber(nw) {
			continue
		}
		host := word(norm, words, name) + "." + word(norm, words, tld)
		if allow.allows([]byte(host)) {
			continue
		}
		made := siteLike(nw)
		// "streamhype shop": a word after a made-up name is a domain
		// only in a sales pitch.
		word := !spelled && c&cueBareTLD == 0
		if spelled && (made || selling) || word && made && selling || !spelled && !word && made && (selling || in.Msg.First || len(nw) >= 10) {
			why := []string{"name " + quote(string(nw)), quote(joinWords(norm, words, i, tld))}
			if selling {
				why = append(why, "selling words")
			}
			return familyHit{FamilySiteNoDot, why}, true
		}
	}
	return familyHit{}, false
}

func isTLD(w []byte) bool {
	k, ok := tlds[string(w)]
	return ok && k == tldStrong
}

// mentor finds an offer to the streamer ("I can …", "let me …" with "you")
// of a streamer with an audience: a big or top streamer, a mentor, or a
// follower count ("351.9K followers").
func mentor(norm []byte, words []Span) (familyHit, bool) {
	offer := -1
	for i := 0; i+1 < len(words); i++ {
		if cue(norm, words, i)&cueOfferer != 0 && (cue(norm, words, i+1)&cueModal != 0 || word(norm, words, i) == "let" && word(norm, words, i+1) == "me") {
			offer = i
			break
		}
	}
	if offer < 0 {
		return familyHit{}, false
	}
	you := -1
	for i := offer + 2; i < len(words) && i <= offer+6; i++ {
		if cue(norm, words, i)&cueYou != 0 {
			you = i
			break
		}
	}
	if you < 0 {
		return familyHit{}, false
	}
	offerText := joinWords(norm, words, offer, you)
	// The offer is of something done ("connect", "help … grow"), named
	// before the audience: "I can tell you the mentor is bugged" offers
	// nothing.
	action := -1
	for i := offer + 2; i < len(words); i++ {
		if cue(norm, words, i)&cueAction != 0 {
			action = i
			break
		}
	}
	if action < 0 {
		return familyHit{}, false
	}
	for i := max(you, action) + 1; i < len(words); i++ {
		c := cue(norm, words, i)
		switch {
		case audience(norm, words, i):
			return familyHit{FamilyMentor, []string{quote(offerText), quote(joinWords(norm, words, i-1, i))}}, true
		case c&cueSellNoun != 0 && isAudienceCount(norm[words[i-1].Start:words[i-1].End]):
			return familyHit{FamilyMentor, []string{quote(offerText), quote(joinWords(norm, words, i-1, i))}}, true
		}
	}
	return familyHit{}, false
}

// mentorKnown finds the fake mentor who is not the offer's subject: "I
// know a top streamer who helps small streamers grow" — someone with an
// audience, known to the writer, who does something for small channels.
func mentorKnown(norm []byte, words []Span) (familyHit, bool) {
	for i := 0; i+1 < len(words); i++ {
		if cue(norm, words, i)&cueOfferer == 0 {
			continue
		}
		if v := word(norm, words, i+1); v != "know" && v != "manage" && v != "represent" {
			continue
		}
		for j := i + 2; j < len(words) && j <= i+6; j++ {
			if !audience(norm, words, j) {
				continue
			}
			for k := j + 1; k < len(words) && k <= j+4; k++ {
				if cue(norm, words, k)&cueAction == 0 {
					continue
				}
				for m := k + 1; m < len(words) && m <= k+3; m++ {
					if w := word(norm, words, m); w == "small" || w == "new" || w == "you" || w == "your" || w == "channels" {
						return familyHit{FamilyMentor, []string{quote(joinWords(norm, words, i, j)), quote(joinWords(norm, words, k, m))}}, true
					}
				}
			}
		}
	}
	return familyHit{}, false
}

// audience reports a mentor, or a big or top streamer, at word j.
func audience(norm []byte, words []Span, j int) bool {
	if cue(norm, words, j)&cueStreamer == 0 {
		return false
	}
	w := word(norm, words, j)
	return w == "mentor" || w == "mentors" || cue(norm, words, j-1)&cueBig != 0 || cue(norm, words, j-2)&cueBig != 0
}

// isAudienceCount reports a follower count: "350k", "1m", "12000".
func isAudienceCount(w []byte) bool {
	if len(w) >= 2 && (w[len(w)-1] == 'k' || w[len(w)-1] == 'm') && isNumber(w[:len(w)-1]) {
		return true
	}
	return len(w) >= 4 && isNumber(w)
}

// viewerSales finds viewers or followers offered with selling words to the
// reader's stream: "cheap viewers for your channel", "followers package
// for streamers".
func viewerSales(norm []byte, words []Span) (familyHit, bool) {
	var noun, sell string
	to := ""
	for i := range words {
		c := cue(norm, words, i)
		w := word(norm, words, i)
		if c&cueSellNoun != 0 && noun == "" {
			noun = w
		}
		if c&cueCommerce != 0 && sell == "" {
			sell = w
		}
		next := word(norm, words, i+1)
		switch {
		case to != "":
		case w == "your" && (next == "stream" || next == "channel" || next == "streams" || next == "twitch" || next == "content"):
			to = w + " " + next
		case w == "for" && (next == "streamers" || next == "you" || next == "your"):
			to = w + " " + next
		}
	}
	if noun == "" || sell == "" || to == "" {
		return familyHit{}, false
	}
	return familyHit{FamilyViewerSales, []string{quote(noun), quote(sell), quote(to)}}, true
}

func quote(s string) string { return `"` + s + `"` }
