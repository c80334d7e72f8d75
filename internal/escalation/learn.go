package escalation

import (
	"context"
	"errors"
)

// Learner saves an answered ticket as an FAQ entry that the channel answers
// from at once. The FAQ belongs to the answer stage, which implements this;
// the desk only decides what to learn. The arguments are plain values so the
// answer package satisfies it without importing this one.
//
// Learn adds an entry with the given id (or one made unique from it), the
// wordings in questions that the FAQ does not have yet, the answer, and
// note as a comment for the streamer who reads the file. It returns the
// entry's id and the wordings it added; none added means the FAQ knew them
// all. An error with a method FAQBroken() bool that returns true says the
// FAQ does not load as it is, so nothing can be learned until it is fixed.
type Learner interface {
	Learn(ctx context.Context, id string, questions []string, answer, note string) (entryID string, added []string, err error)
}

// ErrKnown: every wording of the question is in the FAQ already.
var ErrKnown = errors.New("the faq already has these questions")
