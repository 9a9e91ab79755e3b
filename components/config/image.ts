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
 * The tag of a reference without a digest (the only kind it is asked about: a digest pins the image, and RULES.image
 * admits one only at the end). A registry port is no tag: the last path segment holds no ':'.
 */
function imageTag(image: string): string | undefined {
    return /:([\w][\w.-]*)$/.exec(image)?.[1];
}

export function unpinnedKind(image: string): string {
    return imageTag(image) === "latest" ? "':latest'" : "an untagged image";
}
