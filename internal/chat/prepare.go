package chat

// Prepare turns a reply into the chat messages that carry it: sanitised so a
// viewer's text quoted by the bot cannot smuggle in a second IRC line or a
// chat command, and split to fit Twitch's message limit. It returns nothing
// for a reply that is empty once sanitised.
func Prepare(text string) []string {
	s := Sanitize(text)
	if s == "" {
		return nil
	}
	return Split(s, MaxMessageRunes)
}
