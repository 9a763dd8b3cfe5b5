/* The rule for the names the module keeps: VM names (V3_CREATE_GUEST) and
 * stream names (CHAR_STREAM devices). A name is one path component and one
 * word on a command line: 1 to V3_NAME_LENGTH_MAX characters of
 * [A-Za-z0-9_.-]. The module, the core, the tools and the window all check
 * names with these functions, so a name one accepts the others accept too.
 *
 * Plain C without includes, so the freestanding core can include it too;
 * kmod/uapi/v3vee.h includes it for everyone else. */
#ifndef V3VEE_NAMES_H
#define V3VEE_NAMES_H

#define V3_NAME_LENGTH_MAX 31 /* characters; V3_NAME_MAX (v3vee.h) adds the NUL */

/* Whether c may appear in a name. */
static inline int v3_name_char_allowed(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

/* Why the `length` characters at `name` are no name: 0 when they are one,
 * otherwise a short English reason. "." and ".." are refused: as a path
 * component they name a folder that is not the VM's. */
static inline const char* v3_name_problem(const char* name, unsigned long length) {
    unsigned long i;
    if (length == 0)
        return "a name cannot be empty";
    if (length > V3_NAME_LENGTH_MAX)
        return "a name has at most 31 characters";
    for (i = 0; i < length; i++)
        if (!v3_name_char_allowed(name[i]))
            return "a name may contain only letters, digits, '_', '.' and '-'";
    if (name[0] == '.' && (length == 1 || (length == 2 && name[1] == '.')))
        return "a name cannot be \".\" or \"..\"";
    return (const char*)0;
}

#endif /* V3VEE_NAMES_H */
