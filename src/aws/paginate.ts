/**
 * Follows a paginated AWS read to its last page. `read(token)` sends one request and returns that
 * page's items and the next token (undefined on the last page).
 *
 * @example
 * const arns = await paginate(async (nextToken) => {
 *   const page = await ecs.send(new ListTasksCommand({ cluster, nextToken, maxResults: 100 }));
 *   return [page.taskArns, page.nextToken];
 * });
 */
export async function paginate<T>(read: (token: string | undefined) => Promise<readonly [T[] | undefined, string | undefined]>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const [items, next] = await read(token);
    out.push(...(items ?? []));
    token = next;
  } while (token);
  return out;
}
