package twitch

// mayModerate reports whether a private action (chat.Enforcement.Private:
// an anonymous suggestion taken out of public chat) is carried out in
// channel: only where Twitch has said the bot is a moderator. Anywhere
// else Twitch refuses every moderation call, and a refused courtesy would
// cost a Helix point and an error in the log for nothing. Penalties are
// tried whatever the state, as before: a refusal of those is worth a line
// in the log.
func (s *Sink) mayModerate(channel string) bool {
	if s.moderator == nil {
		return false
	}
	mod, known := s.moderator(channel)
	if !known || !mod {
		s.log.Debug("private moderation skipped: the bot is not a moderator here", "channel", channel)
		return false
	}
	return true
}
