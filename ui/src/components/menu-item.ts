// A row of a drop-down menu (the data menu's and the conversation's; both load with their menus).
export const menuItemClass = 'block w-full px-3 py-1.5 text-left text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800';
