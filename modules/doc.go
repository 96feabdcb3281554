// Package modules holds what tend knows how to converge. Modules are pure: given
// arguments and host facts they return POSIX sh text, and never touch a host.
package modules
