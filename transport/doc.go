// Package transport moves bytes to and from a host: it runs scripts, uploads and
// downloads files. Two implementations exist: SSH (one connection and one
// persistent sh per host, each command framed so it costs one round trip) and
// local. It imports nothing else of tend's.
package transport
