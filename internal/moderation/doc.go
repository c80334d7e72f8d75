// Package moderation keeps order in a channel's chat. An Engine judges each
// message against the channel's rules (banned terms, links, caps, symbols,
// emotes, length, repetition, duplicates, floods, copypasta, zalgo, spam)
// and returns a Verdict: which rule fired, why, and the step of the
// channel's penalty ladder the author has reached. It never sends anything;
// a sink carries verdicts out, so live chat, the console and replay share
// one code path.
//
// Rules match against a normalised form of the text (see Normalize), so
// full-width letters, look-alike Cyrillic, leetspeak and "f.r.e.e" do not
// slip past them, while emotes, CJK and other scripts are never mistaken
// for shouting or symbol spam. Time is always passed in, so strikes,
// floods and permits can be tested without waiting.
package moderation
