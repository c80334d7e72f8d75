package chat

import "context"

// Command is one chat command such as !faq or !claim. Every stage that offers
// commands (answers, moderation, the help desk) returns this one type, and
// the router's command stage dispatches them.
type Command struct {
	// Name is the command word without the '!'.
	Name string
	// Usage is shown by !help, e.g. "!faq <question>".
	Usage string
	// Privileged commands are for the broadcaster and moderators only; from
	// anyone else they are ignored without a word, so a viewer cannot probe
	// them.
	Privileged bool
	// Run handles the command; args is the text after the command word.
	Run func(ctx context.Context, msg Message, args string) Decision
}
