/** Container image references: whether one is pinned, for the readers that refuse a moving tag. */

/** A digest, or a tag other than `latest`. */
export function isPinnedImage(image: string): boolean {
    if (/@sha256:[a-f0-9]{64}$/.test(image)) {
        return true;
    }
    const tag = imageTag(image);
    return tag !== undefined && tag !== "latest";
}

/**
 * The tag: the name's last ':' part, before any digest (`name:tag@sha256:...`). A registry port is no tag: the last
 * path segment holds no ':'.
 */
function imageTag(image: string): string | undefined {
    return /:([\w][\w.-]*)$/.exec(image.split("@")[0])?.[1];
}

export function unpinnedKind(image: string): string {
    return imageTag(image) === "latest" ? "':latest'" : "an untagged image";
}
