package question

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
