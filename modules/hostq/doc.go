// Package hostq is what modules ask about a host, as data: questions
// (Path, Content, Digest, Umask, Accounts, Empty), the one POSIX sh program
// that answers all the questions of a batch with a constant number of
// processes (program.go), and the controller's model of a host during a
// check run (model.go), which answers questions about what earlier tasks
// would have changed.
//
// A module that implements modules.Asker lists its questions instead of
// writing a probe script; its Plan reads the Answers. The runner gathers the
// questions of every task ahead into one program per round trip, so a no-op
// converge costs each host the same few processes (one stat for every path,
// one cat for every file's content, one digest tool for the large ones)
// whatever the number of tasks. In check mode the runner answers through
// Layer: what an earlier task would have changed comes from the Model,
// the rest from the host, so a plan on a fresh host reports what a converge
// would do instead of failing on a directory an earlier task would create.
//
// Questions are comparable values: equal questions in a batch are asked
// once.
package hostq
